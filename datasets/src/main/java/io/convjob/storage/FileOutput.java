package io.convjob.storage;

import java.io.IOException;
import java.net.URI;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.nio.channels.WritableByteChannel;
import java.nio.file.StandardCopyOption;
import java.util.UUID;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.StreamCapabilities;

/**
 * One file written whole or not at all ({@link Storage#createAtomic}). Where renames are atomic (local, HDFS) the
 * bytes go to a hidden {@code .NAME.UUID.tmp} beside the target, renamed onto it by {@link #commit()}; on object
 * stores they go to the target itself, which the store shows only once the upload completes, and {@link #abort()}
 * cancels the upload. Either way a reader sees the old file (or none) or the complete new one. Local files take
 * block-aligned writes around the page cache where the file system allows it ({@link LocalFileWriter}).
 */
public final class FileOutput implements AutoCloseable {
    private final Storage storage;
    private final Path target;
    private final Path written;
    private final FSDataOutputStream out;
    private final WritableByteChannel channel;
    private final LocalFileWriter localChannel; // local disks: written directly (no copy through byte[]), forced at commit
    private boolean finished;

    private FileOutput(Storage storage, Path target, Path written, FSDataOutputStream out, LocalFileWriter localChannel) {
        this.storage = storage;
        this.target = target;
        this.written = written;
        this.out = out;
        this.localChannel = localChannel;
        this.channel = localChannel != null ? localChannel : Channels.newChannel(out);
    }

    static FileOutput create(Storage storage, Path target) {
        return create(storage, target, LocalFileWriter.directIoAllowed());
    }

    /** @param directIo local files: write aligned blocks around the page cache where the file system allows it */
    static FileOutput create(Storage storage, Path target, boolean directIo) {
        Path qualified = storage.qualify(target);
        if (storage.isObjectStore(qualified)) return new FileOutput(storage, qualified, qualified, storage.create(qualified, true), null);
        Path temp = new Path(qualified.getParent(), "." + qualified.getName() + "." + UUID.randomUUID() + ".tmp");
        java.nio.file.Path local = storage.localPath(temp);
        if (local == null) return new FileOutput(storage, qualified, temp, storage.create(temp, false), null);
        try {
            java.nio.file.Files.createDirectories(local.getParent());
            FileChannel file = FileChannel.open(local, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            LocalFileWriter writer = LocalFileWriter.open(local, file, directIo);
            return new FileOutput(storage, qualified, temp, new FSDataOutputStream(Channels.newOutputStream(writer), null), writer);
        } catch (IOException e) {
            throw StorageErrors.of(qualified.toString(), e);
        }
    }

    /** The target, as messages name it. */
    public String name() {
        return target.toString();
    }

    public Path target() {
        return target;
    }

    /** Where the bytes go until the commit. */
    public WritableByteChannel channel() {
        return channel;
    }

    /** True if aligned writes of this local file bypass the page cache ({@code O_DIRECT}); for tests and logs. */
    public boolean writesDirect() {
        return localChannel != null && localChannel.writesDirect();
    }

    public FSDataOutputStream stream() {
        return out;
    }

    /** Flushes to durable storage, closes, and makes the file visible under its name (replacing an older one). */
    public void commit() {
        if (finished) throw new IllegalStateException(target + ": output already committed or aborted");
        finished = true;
        try {
            if (localChannel != null) localChannel.force(); // once per file, at commit
            else if (written != target && out.hasCapability(StreamCapabilities.HSYNC)) out.hsync();
            out.close();
            if (written != target) publish();
        } catch (IOException | RuntimeException e) {
            if (written != target) storage.delete(written);
            throw e instanceof RuntimeException r ? r : StorageErrors.of(target.toString(), e);
        }
    }

    private void publish() throws IOException {
        URI uri = target.toUri();
        if ("file".equals(uri.getScheme())) { // one atomic replace on local disks
            java.nio.file.Files.move(java.nio.file.Path.of(written.toUri()), java.nio.file.Path.of(uri),
                    StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return;
        }
        if (storage.exists(target)) storage.delete(target);
        storage.rename(written, target);
    }

    /** Drops what was written; the target is left as it was. Safe to call more than once. */
    public void abort() {
        if (finished) return;
        finished = true;
        try {
            if (written == target && out.hasCapability(StreamCapabilities.ABORTABLE_STREAM)) {
                out.abort(); // the upload never completes: no object appears
                return;
            }
            out.close();
        } catch (IOException | RuntimeException e) {
            // deleted below either way
        }
        storage.delete(written);
    }

    /** Aborts unless committed. */
    @Override
    public void close() {
        abort();
    }
}
