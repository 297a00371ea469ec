package io.convjob.storage;

import io.convjob.error.InputException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.net.URI;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.UnsupportedFileSystemException;
import org.apache.spark.util.SerializableConfiguration;

/**
 * The one way convjob reaches files: Hadoop's {@link FileSystem} for every scheme on the classpath ({@code file:},
 * {@code hdfs:}, {@code s3a:}, {@code abfs:}, {@code gs:}, ...), with the Hadoop configuration it was made from
 * shipped to executors (it is serialisable). Paths without a scheme are on the configuration's default file system
 * ({@code fs.defaultFS}: the local disk unless a cluster's configuration names HDFS), as Spark's own paths are.
 *
 * <p>Every failure is an {@link InputException} of one line naming the path and the cause ({@link StorageErrors}),
 * so the CLI reports it with exit code 2. Local files ({@code file:} paths, and scheme-less ones while the default
 * file system is the local disk) are read, listed, moved and deleted with {@code java.nio}, with the results Hadoop's
 * raw local file system gives ({@link LocalFiles}; no {@code .crc} side files): a local {@code apply} never starts
 * Hadoop's FileSystem, user and group lookup, shell or metrics, nor reads its XML configuration unless a
 * {@code core-site.xml} on the class path could name another default file system.
 */
public final class Storage implements Serializable {
    /** What to add for the common connectors, in the error for a scheme without a FileSystem. */
    private static final Map<String, String> CONNECTORS = Map.of(
            "s3a", "hadoop-aws and its AWS SDK (bundle)",
            "gs", "the GCS connector (gcs-connector)",
            "abfs", "hadoop-azure", "abfss", "hadoop-azure", "wasb", "hadoop-azure", "wasbs", "hadoop-azure",
            "oss", "hadoop-aliyun");
    /** Object stores: a rename is a copy, a file appears whole when its writer closes it. */
    private static final List<String> OBJECT_STORES = List.of("s3a", "s3", "s3n", "gs", "oss", "cosn", "obs");

    /** Hadoop's local file system's default block size, reported in local files' statuses. */
    private static final long LOCAL_BLOCK_SIZE = 32L << 20;
    private static final URI LOCAL = URI.create("file:///");

    /** Null until first needed for {@link #standard()}: reading Hadoop's XML configuration costs a good part of a second. */
    private SerializableConfiguration conf;

    private Storage(Configuration conf) {
        this.conf = conf == null ? null : new SerializableConfiguration(conf);
    }

    /** Storage with this Hadoop configuration (e.g. {@code spark.sparkContext().hadoopConfiguration()}). */
    public static Storage of(Configuration conf) {
        return new Storage(new Configuration(conf));
    }

    /** Storage with Hadoop's default configuration (core-site.xml etc. from the classpath). */
    public static Storage standard() {
        return new Storage(null);
    }

    public synchronized Configuration configuration() {
        if (conf == null) conf = new SerializableConfiguration(new Configuration());
        return conf.value();
    }

    /** Ships the configuration itself, so an executor sees the driver's. */
    private void writeObject(java.io.ObjectOutputStream out) throws IOException {
        configuration();
        out.defaultWriteObject();
    }

    /**
     * Parses a user's path and checks that its scheme has a FileSystem, before any work.
     *
     * @param what how the user gave it (e.g. {@code --output}), for the error; may be null
     * @throws InputException {@code --output s3a://b/out: no FileSystem for scheme "s3a" (add hadoop-aws ...)}
     */
    public Path path(String what, String text) {
        String prefix = (what == null ? "" : what + " ") + text;
        if (text == null || text.isBlank()) throw new InputException((what == null ? "path" : what) + ": empty path");
        Path path;
        try {
            path = new Path(text);
        } catch (IllegalArgumentException e) {
            throw new InputException(prefix + ": not a valid path (" + e.getMessage() + ")", e);
        }
        String scheme = path.toUri().getScheme();
        if (scheme != null && !"file".equalsIgnoreCase(scheme)) { // file: always has one (Hadoop's own)
            try {
                FileSystem.getFileSystemClass(scheme, configuration());
            } catch (UnsupportedFileSystemException e) {
                String add = CONNECTORS.getOrDefault(scheme.toLowerCase(Locale.ROOT), "a Hadoop FileSystem for it");
                throw new InputException(prefix + ": no FileSystem for scheme \"" + scheme + "\" (add " + add
                        + " to the classpath)", e);
            } catch (IOException e) {
                throw StorageErrors.of(prefix, e);
            }
        }
        return path;
    }

    /** {@link #path(String, String)} without an option name. */
    public Path path(String text) {
        return path(null, text);
    }

    /** A local file as a path of this storage ({@code file:/abs/path}, no trailing slash). */
    public static Path local(java.nio.file.Path file) {
        return new Path("file", null, file.toAbsolutePath().normalize().toString());
    }

    /** The file system of {@code path}; local files without checksum side files. */
    public FileSystem fileSystem(Path path) {
        try {
            FileSystem fs = path.getFileSystem(configuration());
            return fs instanceof LocalFileSystem local ? local.getRawFileSystem() : fs;
        } catch (IOException e) {
            throw StorageErrors.of(path.toString(), e);
        }
    }

    /** {@code path} with scheme and authority, as the storage resolves it (relative local paths made absolute). */
    public Path qualify(Path path) {
        // local: as Hadoop's local file system qualifies it (file:/abs/path, relative to the working directory)
        if (isLocal(path)) return path.makeQualified(LOCAL, new Path(System.getProperty("user.dir")));
        return fileSystem(path).makeQualified(path);
    }

    /**
     * True for the paths this storage reaches with {@code java.nio}: {@code file:} paths without a host, and
     * scheme-less paths while the default file system is the local disk.
     */
    private boolean isLocal(Path path) {
        URI uri = path.toUri();
        String scheme = uri.getScheme();
        if (uri.getAuthority() != null && !uri.getAuthority().isEmpty()) return false;
        if (scheme == null) return defaultIsLocal();
        return "file".equalsIgnoreCase(scheme);
    }

    /** The local file a local path ({@link #isLocal}) names, absolute; null for any other path. */
    java.nio.file.Path localPath(Path path) {
        return isLocal(path) ? java.nio.file.Path.of(qualify(path).toUri()) : null;
    }

    /**
     * Whether {@code fs.defaultFS} is the local disk. Without a {@code core-site.xml} on the class path (where Hadoop's
     * configuration reads it from) it is core-default's {@code file:///}, known without reading any XML.
     */
    private boolean defaultIsLocal() {
        synchronized (this) {
            if (conf == null) {
                ClassLoader loader = Thread.currentThread().getContextClassLoader(); // the loader Configuration reads with
                if (loader == null) loader = Storage.class.getClassLoader();
                if (loader.getResource("core-site.xml") == null) return true;
            }
        }
        String name = configuration().getTrimmed("fs.defaultFS", "file:///");
        if (name.equals("local")) return true; // Hadoop's old spelling of file:///
        try {
            return "file".equalsIgnoreCase(URI.create(name).getScheme());
        } catch (IllegalArgumentException e) {
            return false; // Hadoop's own lookup reports it
        }
    }

    private long localBlockSize() {
        synchronized (this) {
            if (conf == null) return LOCAL_BLOCK_SIZE;
        }
        return configuration().getLong("fs.local.block.size", LOCAL_BLOCK_SIZE);
    }

    /** True for object stores (S3, GCS, ...), where a rename copies the data and a file is visible once closed. */
    public boolean isObjectStore(Path path) {
        String scheme = qualify(path).toUri().getScheme();
        return scheme != null && OBJECT_STORES.contains(scheme.toLowerCase(Locale.ROOT));
    }

    /** The file or directory's status, or null if nothing is there. */
    public FileStatus status(Path path) {
        java.nio.file.Path local = localPath(path);
        if (local != null) return LocalFiles.status(local, qualify(path), localBlockSize());
        try {
            return fileSystem(path).getFileStatus(path);
        } catch (FileNotFoundException e) {
            return null;
        } catch (IOException e) {
            throw StorageErrors.of(path.toString(), e);
        }
    }

    public boolean exists(Path path) {
        return status(path) != null;
    }

    public boolean isDirectory(Path path) {
        FileStatus s = status(path);
        return s != null && s.isDirectory();
    }

    /** A directory's entries, sorted by name; fails if it does not exist. */
    public List<FileStatus> list(Path dir) {
        try {
            java.nio.file.Path local = localPath(dir);
            FileStatus[] entries = local != null ? LocalFiles.list(local, qualify(dir), localBlockSize()).toArray(FileStatus[]::new)
                    : fileSystem(dir).listStatus(dir);
            return Arrays.stream(entries).sorted((a, b) -> a.getPath().compareTo(b.getPath())).toList();
        } catch (IOException e) {
            throw StorageErrors.of(dir.toString(), e);
        }
    }

    /** The matches of a glob (Hadoop's syntax: {@code * ? [ab] {a,b}} in any element), sorted; empty if none. */
    public List<FileStatus> glob(Path pattern) {
        try {
            FileStatus[] found = fileSystem(pattern).globStatus(pattern);
            return found == null ? List.of() : Arrays.stream(found).sorted((a, b) -> a.getPath().compareTo(b.getPath())).toList();
        } catch (IOException e) {
            throw StorageErrors.of(pattern.toString(), e);
        }
    }

    /** True if the text has glob characters. */
    public static boolean isGlob(String path) {
        return path.indexOf('*') >= 0 || path.indexOf('?') >= 0 || path.indexOf('[') >= 0 || path.indexOf('{') >= 0;
    }

    /** Opens a file for reading with seeks and positioned reads (what Arrow's file reader needs). */
    public SeekableByteChannel openChannel(Path file) {
        java.nio.file.Path local = localPath(file);
        if (local != null) { // the OS's file channel: reads straight into Arrow's buffers, no copy through byte[]
            try {
                return java.nio.channels.FileChannel.open(local, java.nio.file.StandardOpenOption.READ);
            } catch (IOException e) {
                throw StorageErrors.of(file.toString(), e);
            }
        }
        return new SeekableInputChannel(open(file), length(file));
    }

    /**
     * The local file a scheme-less path names when the default file system is the local disk, decided from the
     * configuration alone (no Hadoop FileSystem is started, which costs a good part of a second); null for any
     * other path. For small reads at start-up, such as a spec.
     */
    public java.nio.file.Path plainLocalFile(Path file) {
        URI uri = file.toUri();
        if (uri.getScheme() != null || uri.getAuthority() != null) return null;
        if (!defaultIsLocal()) return null;
        return java.nio.file.Path.of(uri.getPath());
    }

    /** Opens a file as a stream (seekable). */
    public FSDataInputStream open(Path file) {
        try {
            return fileSystem(file).open(file);
        } catch (IOException e) {
            throw StorageErrors.of(file.toString(), e);
        }
    }

    /** A file's length in bytes. */
    public long length(Path file) {
        FileStatus s = status(file);
        if (s == null) throw new InputException(file + ": no such file");
        if (s.isDirectory()) throw new InputException(file + ": is a directory, not a file");
        return s.getLen();
    }

    /** A whole (small) file, e.g. a spec. */
    public byte[] readAllBytes(Path file) {
        length(file);
        java.nio.file.Path local = localPath(file);
        try (InputStream in = local != null ? java.nio.file.Files.newInputStream(local) : open(file)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw StorageErrors.of(file.toString(), e);
        }
    }

    public String readString(Path file) {
        return new String(readAllBytes(file), StandardCharsets.UTF_8);
    }

    /**
     * Creates a new file; fails if one exists ({@code overwrite} false). Where the store allows it the create is
     * exclusive (local, HDFS), which makes it a lock.
     */
    public FSDataOutputStream create(Path file, boolean overwrite) {
        try {
            java.nio.file.Path local = localPath(file);
            return local != null ? LocalFiles.create(local, overwrite) : fileSystem(file).create(file, overwrite);
        } catch (IOException e) {
            throw StorageErrors.of(file.toString(), e);
        }
    }

    /**
     * A file written whole or not at all: on file systems with an atomic rename, a hidden temporary file beside the
     * target renamed onto it by {@link FileOutput#commit()}; on object stores the target itself, which appears only
     * when the upload completes.
     */
    public FileOutput createAtomic(Path target) {
        return FileOutput.create(this, target);
    }

    /** Writes a small file whole (e.g. {@code _SUCCESS}). */
    public void writeString(Path file, String text, boolean overwrite) {
        try (FSDataOutputStream out = create(file, overwrite)) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw StorageErrors.of(file.toString(), e);
        }
    }

    /**
     * Creates a small file only if nothing is there: atomically on local disks (O_EXCL) and HDFS (the NameNode);
     * on object stores by a check then a write (a race of two writers within one request is not caught).
     *
     * @return false if the file existed
     */
    public boolean createExclusive(Path file, String text) {
        Path qualified = qualify(file);
        URI uri = qualified.toUri();
        try {
            if ("file".equals(uri.getScheme())) {
                java.nio.file.Path local = java.nio.file.Path.of(uri);
                java.nio.file.Files.createDirectories(local.getParent());
                java.nio.file.Files.writeString(local, text, StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE_NEW,
                        java.nio.file.StandardOpenOption.WRITE);
                return true;
            }
            try (FSDataOutputStream out = fileSystem(qualified).create(qualified, false)) {
                out.write(text.getBytes(StandardCharsets.UTF_8));
            }
            return true;
        } catch (java.nio.file.FileAlreadyExistsException | org.apache.hadoop.fs.FileAlreadyExistsException e) {
            return false;
        } catch (IOException e) {
            if (exists(qualified)) return false; // HDFS reports a lost create race as a lease or create failure
            throw StorageErrors.of(file.toString(), e);
        }
    }

    public void mkdirs(Path dir) {
        try {
            java.nio.file.Path local = localPath(dir);
            if (local != null) {
                LocalFiles.mkdirs(local);
                return;
            }
            if (!fileSystem(dir).mkdirs(dir)) throw new InputException(dir + ": cannot create directory");
        } catch (IOException e) {
            throw StorageErrors.of(dir.toString(), e);
        }
    }

    /** Moves a file or directory; on object stores a copy and delete. Fails if the target exists. */
    public void rename(Path from, Path to) {
        try {
            java.nio.file.Path localFrom = localPath(from);
            java.nio.file.Path localTo = localPath(to);
            boolean moved = localFrom != null && localTo != null ? LocalFiles.rename(localFrom, localTo)
                    : fileSystem(from).rename(from, to);
            if (!moved) {
                throw new InputException(from + ": cannot move to " + to + (exists(to) ? " (the target exists)" : ""));
            }
        } catch (IOException e) {
            throw StorageErrors.of(from.toString(), e);
        }
    }

    /**
     * Deletes the temporary files an interrupted write of {@code target} left beside it (a {@code kill -9} before the
     * rename): hidden {@code .NAME.UUID.tmp} ({@link FileOutput}) and {@code .NAME.HEX.tmp} (the weight and
     * {@code .npy} writers), of this exact name only. One writer per output file is assumed, as for the output itself.
     *
     * @return the files removed, for the caller to report
     */
    public List<Path> removeStaleTemporaries(Path target) {
        Path qualified = qualify(target);
        Path parent = qualified.getParent();
        if (parent == null || isObjectStore(qualified) || !isDirectory(parent)) return List.of();
        java.util.regex.Pattern ours = java.util.regex.Pattern.compile("\\." + java.util.regex.Pattern.quote(qualified.getName())
                + "\\.(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{1,16})\\.tmp");
        List<Path> removed = new java.util.ArrayList<>();
        for (FileStatus f : list(parent)) {
            if (f.isFile() && ours.matcher(f.getPath().getName()).matches()) {
                delete(f.getPath());
                removed.add(f.getPath());
            }
        }
        return removed;
    }

    /** Deletes a file, or a directory with everything in it; nothing there is fine. */
    public void delete(Path path) {
        try {
            java.nio.file.Path local = localPath(path);
            if (local != null) LocalFiles.delete(local);
            else fileSystem(path).delete(path, true);
        } catch (FileNotFoundException e) {
            // already gone
        } catch (IOException e) {
            throw StorageErrors.of(path.toString(), e);
        }
    }

    /**
     * Runs {@code reader} on a local file holding {@code file}'s bytes: the file itself when it is local, else a
     * temporary copy (removed afterwards). For readers that need a local file (e.g. memory-mapped weights); errors
     * naming the copy are reworded to name {@code file}.
     */
    public <T> T withLocalFile(String what, String text, java.util.function.Function<java.nio.file.Path, T> reader) {
        Path file = path(what, text);
        // a plain local path is read as the user wrote it, so messages name it the same way
        if (file.toUri().getScheme() == null) return reader.apply(java.nio.file.Path.of(text));
        return withLocalFile(file, reader);
    }

    /** {@link #withLocalFile(String, String, java.util.function.Function)} for a parsed path. */
    public <T> T withLocalFile(Path file, java.util.function.Function<java.nio.file.Path, T> reader) {
        URI uri = qualify(file).toUri();
        if ("file".equals(uri.getScheme())) {
            // a plain local path stays as the user wrote it, so messages name it the same way
            return reader.apply(file.toUri().getScheme() == null ? java.nio.file.Path.of(file.toString()) : java.nio.file.Path.of(uri));
        }
        length(file);
        java.nio.file.Path dir = null;
        try {
            dir = java.nio.file.Files.createTempDirectory("convjob-");
            java.nio.file.Path copy = dir.resolve(file.getName());
            try (InputStream in = open(file)) {
                java.nio.file.Files.copy(in, copy);
            }
            try {
                return reader.apply(copy);
            } catch (InputException e) {
                String message = String.valueOf(e.getMessage()).replace(copy.toString(), file.toString());
                throw new InputException(message, e);
            }
        } catch (IOException e) {
            throw StorageErrors.of(file.toString(), e);
        } finally {
            if (dir != null) deleteLocal(dir);
        }
    }

    /**
     * Runs {@code writer} to make {@code target} through a local file: the target itself when it is local (the writer
     * makes it atomically), else a temporary local file uploaded whole with {@link #createAtomic}.
     */
    public void writeThroughLocalFile(Path target, java.util.function.Consumer<java.nio.file.Path> writer) {
        URI uri = qualify(target).toUri();
        if ("file".equals(uri.getScheme())) {
            writer.accept(target.toUri().getScheme() == null ? java.nio.file.Path.of(target.toString()) : java.nio.file.Path.of(uri));
            return;
        }
        java.nio.file.Path dir = null;
        try {
            dir = java.nio.file.Files.createTempDirectory("convjob-");
            java.nio.file.Path local = dir.resolve(target.getName());
            writer.accept(local);
            try (FileOutput out = createAtomic(target)) {
                java.nio.file.Files.copy(local, out.stream());
                out.commit();
            }
        } catch (IOException e) {
            throw StorageErrors.of(target.toString(), e);
        } finally {
            if (dir != null) deleteLocal(dir);
        }
    }

    private static void deleteLocal(java.nio.file.Path dir) {
        try (var all = java.nio.file.Files.walk(dir)) {
            for (java.nio.file.Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) java.nio.file.Files.deleteIfExists(p);
        } catch (IOException e) {
            // a temporary copy left behind in /tmp is not worth failing the run for
        }
    }
}
