package io.convjob.fast;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * Runs {@code count} independent work items on up to {@code threads} threads: the caller plus shared helper threads.
 *
 * <p>The helpers are our own daemon threads, not a ForkJoinPool: a parked ForkJoinPool worker took 30-200 us (median,
 * under load) to start on a submitted call, against 6-14 us for a thread unparked directly, which on a 0.3 ms layer
 * call (the depthwise 3x3 at 2 threads) left the second core idle for a good part of it. After its last item a helper
 * also watches for the next call for {@link #SPIN_NANOS} before it parks, as OpenMP runtimes do (oneDNN's threads
 * spin between calls), so back-to-back layer calls start it within a microsecond; kept short, because a spinning
 * thread uses up its share of a busy machine's CPU.
 */
public final class WorkPool {
    /** How long an idle helper watches for the next call before it parks. */
    static final long SPIN_NANOS = 100_000;

    private WorkPool() {}

    /** One {@link #forEach} call: its items, handed out a few at a time from a shared counter. */
    private static final class Job {
        final int count;
        final int grab;
        final IntConsumer item;
        final AtomicInteger next = new AtomicInteger();
        /** Helpers that may still join (threads - 1 at the start). */
        final AtomicInteger seats;
        /** Helpers inside {@link #work}: the caller returns only when none is left. */
        final AtomicInteger running = new AtomicInteger();
        volatile Throwable failure;

        Job(int count, int threads, IntConsumer item) {
            this.count = count;
            // items are taken a few at a time: one shared counter bump per tiny item costs more than the item
            this.grab = Math.max(1, count / (threads * 32));
            this.item = item;
            this.seats = new AtomicInteger(threads - 1);
        }

        boolean open() {
            return seats.get() > 0 && next.get() < count;
        }

        void work() {
            for (int i = next.getAndAdd(grab); i < count; i = next.getAndAdd(grab)) {
                int end = Math.min(count, i + grab);
                for (int j = i; j < end; j++) item.accept(j);
            }
        }
    }

    /** Created on the first multi-threaded call; daemon threads, so they never keep the JVM alive. */
    private static final class Helpers {
        static final ConcurrentLinkedQueue<Job> JOBS = new ConcurrentLinkedQueue<>();
        static final Thread[] THREADS = start(Math.max(2, Runtime.getRuntime().availableProcessors()));

        private static Thread[] start(int n) {
            Thread[] threads = new Thread[n];
            for (int i = 0; i < n; i++) {
                threads[i] = new Thread(Helpers::serve, "convjob-worker-" + i);
                threads[i].setDaemon(true);
                threads[i].start();
            }
            return threads;
        }

        private static void serve() {
            long idleSince = System.nanoTime();
            while (true) {
                Job job = openJob();
                if (job != null) {
                    if (job.seats.getAndDecrement() > 0) {
                        job.running.incrementAndGet();
                        try {
                            job.work();
                        } catch (Throwable t) {
                            job.failure = t;
                            job.next.set(job.count); // the others stop taking items
                        } finally {
                            job.running.decrementAndGet();
                        }
                    }
                    idleSince = System.nanoTime();
                } else if (System.nanoTime() - idleSince < SPIN_NANOS) {
                    Thread.onSpinWait();
                } else {
                    // a call queued after openJob() looked has unparked us already: park returns at once
                    LockSupport.park(Helpers.class);
                    idleSince = System.nanoTime();
                }
            }
        }

        private static Job openJob() {
            if (JOBS.isEmpty()) return null; // the spin loop's usual case, without an iterator
            for (Job j : JOBS) {
                if (j.open()) return j;
            }
            return null;
        }
    }

    public static void forEach(int count, int threads, IntConsumer item) {
        int t = Math.min(threads, count);
        if (t <= 1) {
            for (int i = 0; i < count; i++) item.accept(i);
            return;
        }
        Job job = new Job(count, Math.min(t, Helpers.THREADS.length + 1), item);
        Helpers.JOBS.add(job);
        // helpers 0 .. t-2 serve a lone call; with other calls open, any helper may be the free one
        int wake = Helpers.JOBS.size() > 1 ? Helpers.THREADS.length : t - 1;
        for (int h = 0; h < wake && h < Helpers.THREADS.length; h++) LockSupport.unpark(Helpers.THREADS[h]);
        Throwable own = null;
        try {
            job.work();
        } catch (Throwable e) {
            own = e;
            job.next.set(count);
        }
        Helpers.JOBS.remove(job);
        // a helper that joins from here on finds no item left; wait for those still inside one
        for (int spins = 0; job.running.get() > 0; spins++) {
            if (spins < 10_000) Thread.onSpinWait();
            else LockSupport.parkNanos(10_000); // a helper descheduled mid-item (a loaded machine): wait without spinning
        }
        Throwable failure = own != null ? own : job.failure;
        if (failure instanceof RuntimeException e) throw e;
        if (failure instanceof Error e) throw e;
        if (failure != null) throw new IllegalStateException(failure);
    }
}
