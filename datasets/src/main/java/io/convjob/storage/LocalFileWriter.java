package io.convjob.storage;

import com.sun.nio.file.ExtendedOpenOption;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Writes a new local file front to back. Block-aligned runs from aligned direct buffers (the write-behind blocks of
 * the Arrow writer) go straight to the disk with {@code O_DIRECT}; everything else, such as the unaligned tail, goes
 * through the page cache. Copying large outputs into fresh page-cache pages cost more CPU than the kernels' own
 * I/O on the machines we measured (first touch of fresh memory is slow on VMs), and the final fsync then had the
 * whole file still to write. Where the file system refuses {@code O_DIRECT} (older tmpfs, some network file systems)
 * or a direct write fails, every byte goes through the page cache as before. Either way the file holds exactly the
 * bytes written, in order.
 */
final class LocalFileWriter implements WritableByteChannel {
    /** {@code CONVJOB_DIRECT_IO=off}: always write through the page cache (e.g. to read the output back at once). */
    static final String SWITCH = "CONVJOB_DIRECT_IO";

    private final FileChannel buffered;
    private FileChannel direct; // null: not available or given up
    private final int alignment;
    private long position;
    private boolean open = true;

    private LocalFileWriter(FileChannel buffered, FileChannel direct, int alignment) {
        this.buffered = buffered;
        this.direct = direct;
        this.alignment = alignment;
    }

    /**
     * A writer for {@code file}, just created (empty) and open for writing as {@code buffered}.
     *
     * @param directIo try {@code O_DIRECT} for aligned writes (false: page cache only)
     */
    static LocalFileWriter open(Path file, FileChannel buffered, boolean directIo) {
        return directIo ? open(file, buffered, DirectOpener.O_DIRECT) : new LocalFileWriter(buffered, null, 1);
    }

    /** Opens a second, direct channel to a file; the seam tests use to see a refusal. */
    @FunctionalInterface
    interface DirectOpener {
        DirectOpener O_DIRECT = file -> FileChannel.open(file, StandardOpenOption.WRITE, ExtendedOpenOption.DIRECT);

        FileChannel open(Path file) throws IOException;
    }

    static LocalFileWriter open(Path file, FileChannel buffered, DirectOpener opener) {
        try {
            int alignment = Math.toIntExact(Files.getFileStore(file).getBlockSize());
            return new LocalFileWriter(buffered, opener.open(file), alignment);
        } catch (IOException | UnsupportedOperationException | ArithmeticException e) {
            return new LocalFileWriter(buffered, null, 1); // e.g. tmpfs before Linux 6.6: EINVAL
        }
    }

    /** Whether {@code CONVJOB_DIRECT_IO} allows direct writes (anything but {@code off}). */
    static boolean directIoAllowed() {
        return !"off".equalsIgnoreCase(System.getenv(SWITCH));
    }

    /** True while aligned writes go around the page cache. */
    boolean writesDirect() {
        return direct != null;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        if (!open) throw new ClosedChannelException();
        int n = src.remaining();
        int aligned = alignedLength(src);
        if (aligned > 0) {
            ByteBuffer run = src.slice(src.position(), aligned);
            try {
                while (run.hasRemaining()) position += direct.write(run, position);
            } catch (IOException e) {
                // a file system that opened with O_DIRECT but refuses the write: the rest of the file goes buffered
                // (the file's bytes so far are intact: a failed direct write leaves the page cache path consistent)
                giveUpDirect();
            }
            src.position(src.position() + run.position());
        }
        while (src.hasRemaining()) position += buffered.write(src, position);
        return n;
    }

    /** Bytes from {@code src}'s position that can go direct: the whole blocks, if position and address align. */
    private int alignedLength(ByteBuffer src) {
        if (direct == null || !src.isDirect() || position % alignment != 0) return 0;
        if (src.alignmentOffset(src.position(), alignment) != 0) return 0;
        return src.remaining() - src.remaining() % alignment;
    }

    private void giveUpDirect() {
        try {
            direct.close();
        } catch (IOException ignored) {
            // not used again
        }
        direct = null;
    }

    /** Flushes the file's data and metadata to the disk (one fsync covers both descriptors' writes). */
    void force() throws IOException {
        buffered.force(true);
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public void close() throws IOException {
        if (!open) return;
        open = false;
        try {
            if (direct != null) direct.close();
        } finally {
            buffered.close();
        }
    }
}
