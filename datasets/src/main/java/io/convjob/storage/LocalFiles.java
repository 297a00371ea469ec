package io.convjob.storage;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.FsPermission;

/**
 * {@link Storage}'s operations on local files with {@code java.nio}, with the results Hadoop's raw local file system
 * gives (statuses, listings, renames, deletes), without starting Hadoop's FileSystem, user and group lookup, shell
 * and metrics (about a second of CPU at every start of {@code apply}). Each method takes the local file and the
 * qualified Hadoop path ({@code file:/...}) that statuses and messages name.
 */
final class LocalFiles {
    private LocalFiles() {}

    /** The file or directory's status (symbolic links followed), or null if nothing can be seen there. */
    static FileStatus status(java.nio.file.Path file, Path qualified, long blockSize) {
        PosixFileAttributes a;
        try {
            a = Files.readAttributes(file, PosixFileAttributes.class);
        } catch (IOException | UnsupportedOperationException e) {
            return null; // as Hadoop's File.exists(): missing, a file as a parent, no permission to look
        }
        return new FileStatus(a.size(), a.isDirectory(), 1, blockSize, a.lastModifiedTime().toMillis(),
                a.lastAccessTime().toMillis(), permission(a), a.owner().getName(), a.group().getName(), qualified);
    }

    private static FsPermission permission(PosixFileAttributes a) {
        int mode = 0;
        for (PosixFilePermission p : a.permissions()) mode |= 1 << (8 - p.ordinal()); // OWNER_READ .. OTHERS_EXECUTE
        return new FsPermission((short) mode);
    }

    /** A directory's entries (a file: itself), unsorted; entries that vanish while listed are left out. */
    static List<FileStatus> list(java.nio.file.Path dir, Path qualified, long blockSize) throws IOException {
        FileStatus self = status(dir, qualified, blockSize);
        if (self == null) throw new NoSuchFileException(dir.toString());
        if (!self.isDirectory()) return List.of(self);
        List<FileStatus> entries = new ArrayList<>();
        try (DirectoryStream<java.nio.file.Path> all = Files.newDirectoryStream(dir)) {
            for (java.nio.file.Path entry : all) {
                String name = entry.getFileName().toString();
                FileStatus s = status(entry, new Path(qualified, name), blockSize);
                if (s != null) entries.add(s);
            }
        }
        return entries;
    }

    /** Deletes a file, a link, or a directory with everything in it (links inside are removed, not followed). */
    static void delete(java.nio.file.Path path) throws IOException {
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return;
        }
        if (!a.isDirectory()) {
            Files.deleteIfExists(path);
            return;
        }
        Files.walkFileTree(path, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(java.nio.file.Path file, BasicFileAttributes attrs) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(java.nio.file.Path file, IOException e) throws IOException {
                if (e instanceof NoSuchFileException) return FileVisitResult.CONTINUE;
                throw e;
            }

            @Override
            public FileVisitResult postVisitDirectory(java.nio.file.Path d, IOException e) throws IOException {
                if (e != null) throw e;
                Files.deleteIfExists(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /**
     * Moves with {@code rename(2)}, as Hadoop's local file system does (an existing file or empty directory at
     * {@code to} is replaced); across file systems a copy and delete.
     *
     * @return false if the move is refused (e.g. {@code to} is a directory that is not empty)
     */
    static boolean rename(java.nio.file.Path from, java.nio.file.Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
            return true;
        } catch (AtomicMoveNotSupportedException e) {
            try {
                Files.move(from, to);
                return true;
            } catch (FileAlreadyExistsException | DirectoryNotEmptyException refused) {
                return false;
            }
        } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
            return false;
        } catch (FileSystemException e) { // rename(2)'s ENOTEMPTY comes without a type of its own
            if (Files.exists(from) && Files.isDirectory(to)) return false;
            throw e;
        }
    }

    /** Creates a directory and its parents; an existing directory is fine, a file in the way is not. */
    static void mkdirs(java.nio.file.Path dir) throws IOException {
        if (!Files.isDirectory(dir)) Files.createDirectories(dir); // a file in the way: FileAlreadyExistsException
    }

    /** A new file (its directory created), or an existing one truncated if {@code overwrite}. */
    static FSDataOutputStream create(java.nio.file.Path file, boolean overwrite) throws IOException {
        java.nio.file.Path parent = file.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        OutputStream out = overwrite
                ? Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)
                : Files.newOutputStream(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        return new FSDataOutputStream(new BufferedOutputStream(out, 64 << 10), null);
    }
}
