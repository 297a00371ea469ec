package io.convjob.bench;

import java.util.concurrent.CyclicBarrier;

/** The machine's FMA peak as this JVM reaches it: the Vector API FMA loop on {@code threads} threads at once. */
public final class PeakFlops {
    private static final int ITERATIONS = 60_000_000;

    private PeakFlops() {}

    /** The vector size the FMA loop runs at (this JVM's preferred species), or 0 without the Vector API module. */
    public static int vectorBits() {
        try {
            return VectorFmaLoop.vectorBits();
        } catch (LinkageError e) {
            return 0;
        }
    }

    /**
     * GFLOP/s of {@code threads} concurrent FMA loops (best of three ~0.1-0.3 s rounds after a warm-up), or NaN
     * when the Vector API module is absent or the JIT has no FMA instructions.
     */
    public static double measure(int threads) {
        // without FMA instructions the loop would run lane by lane in Java for minutes and measure nothing useful
        if (!io.convjob.fast.Engines.fmaAvailable()) return Double.NaN;
        try {
            VectorFmaLoop.run(ITERATIONS / 10, 1f);
        } catch (LinkageError e) {
            return Double.NaN;
        }
        double best = 0;
        for (int round = 0; round < 3; round++) best = Math.max(best, round(threads));
        return best;
    }

    private static double round(int threads) {
        CyclicBarrier start = new CyclicBarrier(threads + 1);
        float[] sink = new float[threads];
        Thread[] workers = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            int id = t;
            workers[t] = new Thread(() -> {
                try {
                    start.await();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                sink[id] = VectorFmaLoop.run(ITERATIONS, id);
            }, "peak-flops-" + t);
            workers[t].setDaemon(true);
            workers[t].start();
        }
        long begin;
        try {
            start.await();
            begin = System.nanoTime();
            for (Thread w : workers) w.join();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        long elapsed = System.nanoTime() - begin;
        float total = 0;
        for (float s : sink) total += s;
        if (Float.isNaN(total)) throw new IllegalStateException("FMA loop produced NaN");
        return (double) threads * ITERATIONS * VectorFmaLoop.flopsPerIteration() / elapsed;
    }
}
