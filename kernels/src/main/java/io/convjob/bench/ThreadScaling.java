package io.convjob.bench;

import io.convjob.engine.PreparedConv;

import java.util.Arrays;

/**
 * How much faster a layer runs on {@code threads} threads than on one, from alternating calls: one call on 1 thread,
 * one on {@code threads}, and so on. Timing the two thread counts one after the other, as the suite's rows do, lets
 * the host's speed drift between them (on shared VMs a core's speed changes over seconds), which reads as scaling;
 * alternating calls see the same drift on both sides.
 */
final class ThreadScaling {
    private ThreadScaling() {}

    /** The median 1-thread call time over the median {@code threads}-thread call time; the layer is warm. */
    static double speedup(PreparedConv prepared, float[] x, float[] y, int batch, int threads, long budgetNanos,
                          int minPairs) {
        double[] one = new double[400];
        double[] many = new double[400];
        int pairs = 0;
        long begin = System.nanoTime();
        while (pairs < one.length && (pairs < minPairs || System.nanoTime() - begin < budgetNanos)) {
            one[pairs] = timeCall(prepared, x, y, batch, 1);
            many[pairs] = timeCall(prepared, x, y, batch, threads);
            pairs++;
        }
        return median(one, pairs) / median(many, pairs);
    }

    private static double timeCall(PreparedConv prepared, float[] x, float[] y, int batch, int threads) {
        long t0 = System.nanoTime();
        prepared.run(x, y, batch, threads);
        return System.nanoTime() - t0;
    }

    private static double median(double[] values, int n) {
        double[] sorted = Arrays.copyOf(values, n);
        Arrays.sort(sorted);
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
