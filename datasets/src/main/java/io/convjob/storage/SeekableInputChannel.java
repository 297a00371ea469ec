package io.convjob.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.SeekableByteChannel;
import org.apache.hadoop.fs.FSDataInputStream;

/** A Hadoop input stream as a read-only {@link SeekableByteChannel}, for Arrow's file reader (footer, then blocks). */
final class SeekableInputChannel implements SeekableByteChannel {
    private final FSDataInputStream in;
    private final long size;
    private long position;
    private boolean open = true;
    private byte[] scratch = new byte[0]; // reused for direct buffers (Arrow's): fresh memory is slow here

    SeekableInputChannel(FSDataInputStream in, long size) {
        this.in = in;
        this.size = size;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        requireOpen();
        if (position >= size) return -1;
        int want = (int) Math.min(dst.remaining(), size - position);
        if (want == 0) return 0;
        int n;
        if (dst.hasArray()) {
            n = in.read(position, dst.array(), dst.arrayOffset() + dst.position(), want);
            if (n > 0) dst.position(dst.position() + n);
        } else {
            if (scratch.length < Math.min(want, 1 << 20)) scratch = new byte[Math.min(want, 1 << 20)];
            n = in.read(position, scratch, 0, Math.min(want, scratch.length));
            if (n > 0) dst.put(scratch, 0, n);
        }
        if (n > 0) position += n;
        return n;
    }

    @Override
    public long position() throws IOException {
        requireOpen();
        return position;
    }

    @Override
    public SeekableByteChannel position(long newPosition) throws IOException {
        requireOpen();
        if (newPosition < 0) throw new IllegalArgumentException("negative position " + newPosition);
        position = newPosition;
        return this;
    }

    @Override
    public long size() throws IOException {
        requireOpen();
        return size;
    }

    @Override
    public int write(ByteBuffer src) {
        throw new NonWritableChannelException();
    }

    @Override
    public SeekableByteChannel truncate(long size) {
        throw new NonWritableChannelException();
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public void close() throws IOException {
        if (open) {
            open = false;
            in.close();
        }
    }

    private void requireOpen() throws IOException {
        if (!open) throw new ClosedChannelException();
    }
}
