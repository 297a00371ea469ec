package io.convjob.fast;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * One call's whole samples and their tasks, shared by the threads of the call: each sample is claimed by one thread
 * (its owner), which builds its input (a split) and takes the sample's tasks from the front; a thread left without
 * samples takes tasks from the back of a sample another thread owns, once that sample's input is published. So the
 * end of a batch is shared instead of waiting for the slowest owner (a vCPU can run 15-20% slower than the other for
 * tens of seconds on these machines, or start late).
 *
 * <p>A sample's free tasks are {@code [front, back)}, kept in one long so both ends move by compare-and-set, next to
 * the count of its finished tasks; each sample's counters have a 128-byte stretch of their own, so owners of
 * neighbouring samples do not share a cache line.
 */
final class SampleTasks {
    /** Longs between two samples' counters: 128 bytes (two cache lines, the adjacent-line prefetcher's pair). */
    private static final int PAD = 16;
    private final int samples;
    private final int tasksPerSample;
    private final AtomicInteger nextSample = new AtomicInteger();
    private final AtomicLongArray free;
    private final AtomicReferenceArray<float[]> inputs;
    private volatile boolean failed;
    /** Each sample's owner, written and read only by that thread. */
    private final Thread[] owners;

    SampleTasks(int samples, int tasksPerSample) {
        this.samples = samples;
        this.tasksPerSample = tasksPerSample;
        this.free = new AtomicLongArray(samples * PAD);
        for (int b = 0; b < samples; b++) free.set(b * PAD, pack(0, tasksPerSample));
        this.inputs = new AtomicReferenceArray<>(samples);
        this.owners = new Thread[samples];
    }

    int samples() {
        return samples;
    }

    /** The next sample nobody owns yet (the calling thread owns it from now on), or -1. */
    int claimSample() {
        int b = nextSample.getAndIncrement();
        if (b >= samples) return -1;
        owners[b] = Thread.currentThread();
        return b;
    }

    /** Whether the calling thread owns sample b. */
    boolean ownedByCaller(int b) {
        return owners[b] == Thread.currentThread();
    }

    /** Sample b's input is ready for other threads: they may take its tasks from now on. */
    void publish(int b, float[] input) {
        inputs.set(b, input);
    }

    /** Sample b's published input, or null while its owner is still building it. */
    float[] input(int b) {
        return inputs.get(b);
    }

    /** Whether sample b has tasks nobody has taken. */
    boolean hasFree(int b) {
        long f = free.get(b * PAD);
        return front(f) < back(f);
    }

    /** The owner's next task of sample b (lowest first), or -1 when none is left. */
    int claimFront(int b) {
        int i = b * PAD;
        while (true) {
            long f = free.get(i);
            int lo = front(f);
            int hi = back(f);
            if (lo >= hi) return -1;
            if (free.compareAndSet(i, f, pack(lo + 1, hi))) return lo;
        }
    }

    /**
     * Another thread's next task of sample b (highest first), or -1 when fewer than {@code minFree} are left (the
     * owner takes the rest: it keeps taking tasks until none is free).
     */
    int claimBack(int b, int minFree) {
        int i = b * PAD;
        while (true) {
            long f = free.get(i);
            int lo = front(f);
            int hi = back(f);
            if (hi - lo < Math.max(1, minFree)) return -1;
            if (free.compareAndSet(i, f, pack(lo, hi - 1))) return hi - 1;
        }
    }

    /** {@code count} more tasks of sample b are finished (their outputs written, its input no longer read for them). */
    void finished(int b, int count) {
        if (count > 0) free.addAndGet(b * PAD + 1, count);
    }

    /** Whether every task of sample b is finished. */
    boolean allFinished(int b) {
        return free.get(b * PAD + 1) == tasksPerSample;
    }

    /** A task failed: nobody should wait for the others to finish (the failure reaches the caller). */
    void fail() {
        failed = true;
    }

    boolean failed() {
        return failed;
    }

    private static long pack(int front, int back) {
        return (long) front << 32 | back & 0xFFFF_FFFFL;
    }

    private static int front(long f) {
        return (int) (f >>> 32);
    }

    private static int back(long f) {
        return (int) f;
    }
}
