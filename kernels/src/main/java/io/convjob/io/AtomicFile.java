package io.convjob.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes a file so readers see either the old file or the complete new one: the body goes to a hidden temp
 * file in the target's directory, is forced to disk, then renamed over the target in one atomic move.
 */
final class AtomicFile {

    /** What to write; the stream is buffered and closed by {@link #write}. */
    interface Body {
        void writeTo(OutputStream out) throws IOException;
    }

    private AtomicFile() {}

    /** @throws UncheckedIOException on any I/O failure; the temp file is removed and the target left as it was */
    static void write(Path target, Body body) {
        Path absolute = target.toAbsolutePath();
        Path temp = null;
        try {
            temp = createTemp(absolute);
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE);
                 OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16)) {
                body.writeTo(out);
                out.flush();
                channel.force(true);
            }
            Files.move(temp, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            deleteQuietly(temp, e);
            if (e instanceof IOException io) throw new UncheckedIOException("cannot write " + target + ": " + io, io);
            throw (RuntimeException) e;
        }
    }

    // Files.createFile (not createTempFile) so the result gets the usual umask permissions, not 0600.
    private static Path createTemp(Path target) throws IOException {
        while (true) {
            String suffix = Long.toHexString(ThreadLocalRandom.current().nextLong());
            Path temp = target.resolveSibling("." + target.getFileName() + "." + suffix + ".tmp");
            try {
                return Files.createFile(temp);
            } catch (FileAlreadyExistsException retry) {
                // another writer picked the same name: draw again
            }
        }
    }

    private static void deleteQuietly(Path temp, Exception primary) {
        if (temp == null) return;
        try {
            Files.deleteIfExists(temp);
        } catch (IOException e) {
            primary.addSuppressed(e);
        }
    }
}
