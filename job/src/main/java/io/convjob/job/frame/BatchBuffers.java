package io.convjob.job.frame;

import java.lang.ref.SoftReference;

/**
 * The input and output batch buffers of a partition's model calls, lent to the tasks an executor thread runs one after
 * another: fresh memory is slow to touch on these machines (a page fault a page), and a task converting a few
 * thousand rows would otherwise allocate and fault in megabytes for every batch buffer it grows. A partition borrows
 * the thread's buffers and gives them back when its rows are done; a second partition open in the same thread at the
 * same time (a cartesian product of two convolved frames) finds none and gets fresh ones, so no two share. Held softly:
 * an idle executor under memory pressure lets them go.
 */
final class BatchBuffers {
    private static final ThreadLocal<SoftReference<BatchBuffers>> IDLE = new ThreadLocal<>();

    final float[] x;
    final float[] y;

    private BatchBuffers(int xFloats, int yFloats) {
        this.x = new float[xFloats];
        this.y = new float[yFloats];
    }

    /** Buffers of at least these lengths: the thread's idle ones if big enough, else new ones. */
    static BatchBuffers borrow(int xFloats, int yFloats) {
        SoftReference<BatchBuffers> ref = IDLE.get();
        BatchBuffers idle = ref == null ? null : ref.get();
        IDLE.remove();
        if (idle != null && idle.x.length >= xFloats && idle.y.length >= yFloats) return idle;
        return new BatchBuffers(xFloats, yFloats);
    }

    /** Gives the buffers back to this thread for its next partition (the caller no longer touches them). */
    void giveBack() {
        SoftReference<BatchBuffers> ref = IDLE.get();
        BatchBuffers idle = ref == null ? null : ref.get();
        if (idle == null || idle.x.length + idle.y.length < x.length + y.length) IDLE.set(new SoftReference<>(this));
    }
}
