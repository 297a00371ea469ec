package io.convjob.arrow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArrowMemoryPoolTest {
    private static final long MIB = 1 << 20;

    @Test
    void aBlockFreedByOneUserIsTheNextUsersWhileTheStageRuns() {
        ArrowMemoryPool pool = new ArrowMemoryPool(1, TimeUnit.HOURS);
        ArrowMemoryPool.Lease other = pool.lease(); // another task still running
        long first;
        try (ArrowMemoryPool.Lease lease = pool.lease(); BufferAllocator a = lease.newChildAllocator("task 1");
             ArrowBuf b = a.buffer(16 * MIB)) {
            first = b.memoryAddress();
            b.setLong(0, 42);
        }
        assertEquals(16 * MIB, pool.idleBytes());
        try (ArrowMemoryPool.Lease lease = pool.lease(); BufferAllocator a = lease.newChildAllocator("task 2");
             ArrowBuf b = a.buffer(16 * MIB)) {
            assertEquals(first, b.memoryAddress(), "the same memory, not fresh pages");
            assertEquals(0, pool.idleBytes());
            assertEquals(16 * MIB, pool.inUseBytes());
        }
        other.close();
        assertEquals(0, pool.inUseBytes());
    }

    @Test
    void idleBlocksAreFreedAfterTheLastUserLeavesAndTheGracePasses() throws InterruptedException {
        ArrowMemoryPool pool = new ArrowMemoryPool(50, TimeUnit.MILLISECONDS);
        try (ArrowMemoryPool.Lease lease = pool.lease(); BufferAllocator a = lease.newChildAllocator("task")) {
            a.buffer(4 * MIB).close();
            a.buffer(2 * MIB).close();
        }
        assertEquals(2 * MIB, pool.idleBytes(), "within what was in use at once (4 MiB): the older block goes");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (pool.idleBytes() > 0 && System.nanoTime() < deadline) Thread.sleep(10);
        assertEquals(0, pool.idleBytes());
    }

    @Test
    void aUserComingBackWithinTheGraceKeepsTheBlocks() throws InterruptedException {
        ArrowMemoryPool pool = new ArrowMemoryPool(200, TimeUnit.MILLISECONDS);
        long first;
        try (ArrowMemoryPool.Lease lease = pool.lease(); BufferAllocator a = lease.newChildAllocator("task 1");
             ArrowBuf b = a.buffer(8 * MIB)) {
            first = b.memoryAddress();
        }
        try (ArrowMemoryPool.Lease lease = pool.lease(); BufferAllocator a = lease.newChildAllocator("task 2")) {
            Thread.sleep(400); // the first lease's trim runs now, and must see the second lease
            try (ArrowBuf b = a.buffer(8 * MIB)) {
                assertEquals(first, b.memoryAddress());
            }
        }
    }

    @Test
    void theIdleMemoryNeverExceedsWhatTheUsersHeldAtOnce() {
        ArrowMemoryPool pool = new ArrowMemoryPool(1, TimeUnit.HOURS);
        try (ArrowMemoryPool.Lease lease = pool.lease(); BufferAllocator a = lease.newChildAllocator("task")) {
            ArrowBuf big = a.buffer(8 * MIB);
            ArrowBuf small = a.buffer(2 * MIB);
            big.close();
            small.close();
            assertEquals(10 * MIB, pool.idleBytes());
            for (int mib = 3; mib <= 7; mib++) a.buffer(mib * MIB).close(); // sizes nobody asks for again
            assertTrue(pool.idleBytes() <= 10 * MIB, "idle " + pool.idleBytes());
            assertEquals(0, pool.inUseBytes());
        }
    }

    @Test
    void smallBuffersAreNotKept() {
        ArrowMemoryPool pool = new ArrowMemoryPool(1, TimeUnit.HOURS);
        try (ArrowMemoryPool.Lease lease = pool.lease(); BufferAllocator a = lease.newChildAllocator("task")) {
            a.buffer(4096).close();
            a.buffer(ArrowMemoryPool.MIN_KEPT_BYTES / 2).close();
        }
        assertEquals(0, pool.idleBytes());
    }

    @Test
    void aClosedLeaseGivesNoAllocator() {
        ArrowMemoryPool pool = new ArrowMemoryPool(0, TimeUnit.SECONDS);
        ArrowMemoryPool.Lease lease = pool.lease();
        lease.close();
        assertThrows(IllegalStateException.class, () -> lease.newChildAllocator("late"));
    }

    /** Files written and read through a pooled allocator, one after the other, are the same bytes as without it. */
    @Test
    void filesThroughThePoolAreTheSameBytes(@TempDir Path dir) throws Exception {
        int[] shape = {3, 64, 64};
        int rows = 300;
        long[] ids = new long[rows];
        float[] data = new float[rows * 3 * 64 * 64];
        for (int i = 0; i < rows; i++) ids[i] = i;
        for (int i = 0; i < data.length; i++) data[i] = (float) Math.sin(i * 0.37);
        Path plain = dir.resolve("plain.arrow");
        try (BufferAllocator a = new RootAllocator()) {
            TensorFileWriter.writeFile(plain, ids, data, shape, 128, a);
        }
        ArrowMemoryPool pool = new ArrowMemoryPool(1, TimeUnit.HOURS);
        try (ArrowMemoryPool.Lease lease = pool.lease()) {
            for (int f = 0; f < 3; f++) {
                Path pooled = dir.resolve("pooled-" + f + ".arrow");
                try (BufferAllocator a = lease.newChildAllocator("file " + f)) {
                    TensorFileWriter.writeFile(pooled, ids, data, shape, 128, a);
                }
                assertEquals(-1, Files.mismatch(plain, pooled));
                float[] back = new float[data.length];
                try (BufferAllocator a = lease.newChildAllocator("read " + f);
                     TensorFileReader reader = TensorFileReader.open(pooled, a)) {
                    int at = 0;
                    while (reader.loadNextBatch()) {
                        reader.copyTensors(back, at);
                        at += reader.batchRows() * 3 * 64 * 64;
                    }
                    assertEquals(data.length, at);
                }
                assertEquals(0, Float.compare(data[data.length - 1], back[back.length - 1]));
                assertEquals(-1, java.util.Arrays.mismatch(data, back));
            }
            assertNotEquals(0, pool.idleBytes(), "the files' buffers stay for the next file");
        }
        assertEquals(0, pool.inUseBytes());
    }
}
