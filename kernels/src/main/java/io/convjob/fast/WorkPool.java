package io.convjob.fast;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/** Runs {@code count} independent work items on up to {@code threads} threads: the caller plus a shared pool. */
public final class WorkPool {
    private WorkPool() {}

    /** Created on first multi-threaded call; daemon workers so it never keeps the JVM alive. */
    private static final class Holder {
        static final ForkJoinPool POOL = new ForkJoinPool(Math.max(2, Runtime.getRuntime().availableProcessors()),
                pool -> {
                    var t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(pool);
                    t.setDaemon(true);
                    t.setName("convjob-worker-" + t.getPoolIndex());
                    return t;
                }, null, false);
    }

    public static void forEach(int count, int threads, IntConsumer item) {
        int t = Math.min(threads, count);
        if (t <= 1) {
            for (int i = 0; i < count; i++) item.accept(i);
            return;
        }
        AtomicInteger next = new AtomicInteger();
        // items are taken a few at a time: one shared counter bump per tiny item costs more than the item
        int grab = Math.max(1, count / (t * 32));
        Runnable worker = () -> {
            for (int i = next.getAndAdd(grab); i < count; i = next.getAndAdd(grab)) {
                int end = Math.min(count, i + grab);
                for (int j = i; j < end; j++) item.accept(j);
            }
        };
        ForkJoinTask<?>[] helpers = new ForkJoinTask<?>[t - 1];
        for (int h = 0; h < helpers.length; h++) helpers[h] = Holder.POOL.submit(worker);
        worker.run();
        for (ForkJoinTask<?> h : helpers) h.join();
    }
}
