package io.convjob.arrow;

import io.convjob.concurrent.Threads;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.WritableByteChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;

/**
 * Writes to another channel on a thread of its own, so the caller goes on (with the next batch's kernels) while the
 * disk takes the previous batch. Bytes are copied into a few fixed blocks, reused, on a bounded queue: memory is
 * {@value #BLOCKS} x {@value #BLOCK_BYTES} bytes whatever the file size, and a writer faster than the disk waits for a
 * free block. A failure of the background write is rethrown by the next {@link #write}, {@link #close} or
 * {@link #finish}. Blocks are aligned in memory and, but for the last, written whole, so a local target can send them
 * around the page cache (see {@code io.convjob.storage.LocalFileWriter}). The blocks come from an Arrow allocator (a
 * pooled one reuses them from file to file) and are given back once the thread has ended.
 */
final class WriteBehindChannel implements WritableByteChannel {
    static final int BLOCK_BYTES = 4 << 20;
    static final int BLOCKS = 4;
    static final int BLOCK_ALIGNMENT = 64 << 10;
    private static final ByteBuffer END = ByteBuffer.allocate(0);

    private final WritableByteChannel target;
    private final BufferAllocator allocator;
    private final List<ArrowBuf> blocks = new ArrayList<>(BLOCKS);
    private final BlockingQueue<ByteBuffer> free = new ArrayBlockingQueue<>(BLOCKS);
    private final BlockingQueue<ByteBuffer> full = new ArrayBlockingQueue<>(BLOCKS + 1);
    private final Thread thread;
    private int allocated;
    private ByteBuffer current;
    private volatile Throwable failure;
    private volatile boolean abandoned;
    private boolean open = true;

    /** @param allocator where the blocks come from */
    WriteBehindChannel(WritableByteChannel target, String name, BufferAllocator allocator) {
        this.target = target;
        this.allocator = allocator;
        this.thread = new Thread(this::drain, "convjob-write-behind " + name);
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        if (!open) throw new ClosedChannelException();
        rethrowFailure();
        int n = src.remaining();
        while (src.hasRemaining()) {
            if (current == null) current = takeFree();
            int k = Math.min(current.remaining(), src.remaining());
            current.put(src.slice(src.position(), k));
            src.position(src.position() + k);
            if (!current.hasRemaining()) pass();
        }
        return n;
    }

    /** Hands the rest to the thread, waits until all is written, and rethrows a failure; the target stays open. */
    void finish() throws IOException {
        if (!open) return;
        open = false;
        if (current != null && current.position() > 0) pass();
        put(END);
        join();
        releaseBlocks();
        rethrowFailure();
    }

    /** Stops without writing what is still queued (the file is being dropped). */
    void abandon() {
        if (!open && !thread.isAlive()) return;
        open = false;
        abandoned = true;
        full.clear();
        full.offer(END);
        // even when the caller is interrupted (a killed task): the thread stops after the block it is writing, and
        // only then may the blocks go back
        Threads.joinUninterruptibly(thread);
        releaseBlocks();
    }

    /** Gives the blocks back to their allocator; the thread has ended. */
    private void releaseBlocks() {
        for (ArrowBuf b : blocks) b.close();
        blocks.clear();
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    /** {@link #finish()}; the target is closed by its owner. */
    @Override
    public void close() throws IOException {
        finish();
    }

    private void pass() throws IOException {
        current.flip();
        put(current);
        current = null;
    }

    private ByteBuffer takeFree() throws IOException {
        ByteBuffer b = free.poll();
        if (b == null && allocated < BLOCKS) {
            allocated++;
            return alignedBlock();
        }
        try {
            while (b == null) {
                rethrowFailure();
                b = free.poll(50, TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while writing");
        }
        return b;
    }

    /**
     * A direct block whose address is a multiple of {@value #BLOCK_ALIGNMENT}: full blocks then start and end on
     * file-system block boundaries, so a local file can take them without the page-cache copy (O_DIRECT).
     */
    private ByteBuffer alignedBlock() {
        ArrowBuf b = allocator.buffer(BLOCK_BYTES + BLOCK_ALIGNMENT);
        blocks.add(b);
        long skip = -b.memoryAddress() & (BLOCK_ALIGNMENT - 1);
        return b.nioBuffer(skip, BLOCK_BYTES).clear();
    }

    private void put(ByteBuffer b) throws IOException {
        try {
            full.put(b);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while writing");
        }
    }

    private void join() throws IOException {
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while writing");
        }
    }

    private void drain() {
        try {
            while (true) {
                ByteBuffer b = full.take();
                if (b == END) return;
                while (b.hasRemaining() && !abandoned && failure == null) target.write(b);
                b.clear();
                free.put(b);
            }
        } catch (Throwable t) {
            failure = t;
            // the caller sees the failure at its next call; keep taking so it never waits on a full queue
            try {
                while (full.take() != END) { }
            } catch (InterruptedException ignored) {
                // exiting anyway
            }
        }
    }

    private void rethrowFailure() throws IOException {
        Throwable t = failure;
        if (t == null) return;
        if (t instanceof IOException e) throw new IOException(e.getMessage(), e);
        throw new IOException("write failed: " + t, t);
    }
}
