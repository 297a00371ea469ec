package io.convjob.arrow;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.memory.AllocationManager;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.ReferenceManager;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.memory.rounding.SegmentRoundingPolicy;
import org.apache.arrow.memory.util.MemoryUtil;

/**
 * Arrow memory that outlives the files it serves: big blocks (a record batch's bytes, a tensor vector, write-behind
 * blocks) freed by one task go back to the pool and are handed to the next task that asks for the same size, instead
 * of fresh memory each time (first touch of a fresh page is slow on VMs, and a file converted per Spark task would
 * otherwise pay it for every buffer of every file).
 *
 * <p>Lifecycle: users {@link #lease() lease} the pool for as long as they allocate from it (a Spark task: its files);
 * idle blocks are kept while any lease is open and freed {@code grace} after the last one closes, so a stage's next
 * wave of tasks reuses them, and an executor left idle gives them back. The pool never holds more than the most its
 * users had in use at once. Thread-safe.
 */
public final class ArrowMemoryPool {
    /** Blocks smaller than this are not kept: malloc reuses small ones by itself. */
    static final long MIN_KEPT_BYTES = 1 << 20;
    /** Allocation sizes are rounded up to this (a power of two), so that equal requests give equal blocks. */
    private static final long SEGMENT = 64 << 10;

    private static final ArrowBuf EMPTY = new ArrowBuf(ReferenceManager.NO_OP, null, 0, MemoryUtil.allocateMemory(0));
    private static final ArrowMemoryPool SHARED = new ArrowMemoryPool(10, TimeUnit.SECONDS);

    private final RootAllocator root;
    private final long graceNanos;
    private final ArrayDeque<Block> idle = new ArrayDeque<>(); // oldest first
    private long idleBytes;
    private long inUseBytes;
    private long peakInUseBytes;
    private int leases;
    private long generation; // bumped by every lease, so a late trim sees that users came back

    /** The pool of this JVM, shared by its tasks. */
    public static ArrowMemoryPool shared() {
        return SHARED;
    }

    /** @param grace how long idle blocks are kept after the last lease closes */
    public ArrowMemoryPool(long grace, TimeUnit unit) {
        this.graceNanos = unit.toNanos(grace);
        this.root = new RootAllocator(RootAllocator.configBuilder()
                .allocationManagerFactory(new Factory())
                .roundingPolicy(new SegmentRoundingPolicy(SEGMENT))
                .maxAllocation(Long.MAX_VALUE)
                .build());
    }

    /** A use of the pool; close it when done (its allocators must be closed first). */
    public final class Lease implements AutoCloseable {
        private boolean open = true;

        private Lease() {}

        /** A child allocator of the pool, named {@code name}: close it before the lease. */
        public BufferAllocator newChildAllocator(String name) {
            if (!open) throw new IllegalStateException("lease closed");
            return root.newChildAllocator(name, 0, Long.MAX_VALUE);
        }

        @Override
        public void close() {
            if (!open) return;
            open = false;
            release();
        }
    }

    /** Opens a lease: idle blocks are kept until {@code grace} after the last lease closes. */
    public synchronized Lease lease() {
        leases++;
        generation++;
        return new Lease();
    }

    private void release() {
        long seen;
        synchronized (this) {
            if (--leases > 0) return;
            seen = generation;
        }
        if (graceNanos <= 0) {
            trim(seen);
        } else {
            CompletableFuture.runAsync(() -> trim(seen), CompletableFuture.delayedExecutor(graceNanos, TimeUnit.NANOSECONDS));
        }
    }

    /** Frees every idle block, unless a lease was opened since {@code seen}. */
    private void trim(long seen) {
        ArrayDeque<Block> freed;
        synchronized (this) {
            if (leases > 0 || generation != seen) return;
            freed = new ArrayDeque<>(idle);
            idle.clear();
            idleBytes = 0;
            peakInUseBytes = inUseBytes;
        }
        for (Block b : freed) MemoryUtil.freeMemory(b.address);
    }

    /** Bytes of idle blocks the pool keeps for reuse. */
    public synchronized long idleBytes() {
        return idleBytes;
    }

    /** Bytes of blocks in use by the pool's allocators (kept-size blocks only). */
    public synchronized long inUseBytes() {
        return inUseBytes;
    }

    private record Block(long address, long size) {}

    /** An idle block of exactly {@code size} bytes, or fresh memory. */
    private long take(long size) {
        if (size >= MIN_KEPT_BYTES) {
            synchronized (this) {
                inUseBytes += size;
                peakInUseBytes = Math.max(peakInUseBytes, inUseBytes);
                for (Iterator<Block> it = idle.descendingIterator(); it.hasNext(); ) {
                    Block b = it.next();
                    if (b.size == size) {
                        it.remove();
                        idleBytes -= size;
                        return b.address;
                    }
                }
            }
        }
        return MemoryUtil.allocateMemory(size);
    }

    /** Keeps a block for reuse, within what the users needed at their peak; else frees it (or the oldest ones). */
    private void give(long address, long size) {
        if (size < MIN_KEPT_BYTES) {
            MemoryUtil.freeMemory(address);
            return;
        }
        ArrayDeque<Block> freed = new ArrayDeque<>();
        synchronized (this) {
            inUseBytes -= size;
            idle.addLast(new Block(address, size));
            idleBytes += size;
            while (idleBytes + inUseBytes > peakInUseBytes) { // never the block just added: it fitted within the peak
                Block oldest = idle.pollFirst();
                idleBytes -= oldest.size;
                freed.add(oldest);
            }
        }
        for (Block b : freed) MemoryUtil.freeMemory(b.address);
    }

    private final class Factory implements AllocationManager.Factory {
        @Override
        public AllocationManager create(BufferAllocator accountingAllocator, long size) {
            return new Pooled(accountingAllocator, size);
        }

        @Override
        public ArrowBuf empty() {
            return EMPTY;
        }
    }

    /** One block of the pool, lent to an Arrow buffer until Arrow releases it. */
    private final class Pooled extends AllocationManager {
        private final long address;
        private final long size;

        Pooled(BufferAllocator accountingAllocator, long size) {
            super(accountingAllocator);
            this.size = size;
            this.address = take(size);
        }

        @Override
        public long getSize() {
            return size;
        }

        @Override
        protected long memoryAddress() {
            return address;
        }

        @Override
        protected void release0() {
            give(address, size);
        }
    }
}
