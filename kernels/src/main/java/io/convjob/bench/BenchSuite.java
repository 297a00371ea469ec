package io.convjob.bench;

import io.convjob.engine.ConvEngine;
import io.convjob.engine.PreparedConv;
import io.convjob.fast.Engines;
import io.convjob.reference.ReferenceConv;
import io.convjob.shape.ConvGeometry;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Times the engine of this JVM ({@link Engines#get()}) on the benchmark configs: for each config it first
 * checks a small instance against {@link ReferenceConv} (a mismatch throws), then warms up, times repeated
 * calls, and reports GFLOP/s against the FMA peak measured in the same run at the same thread count. When the
 * thread counts include 1, each larger count also gets its {@link ThreadScaling} speedup.
 */
public final class BenchSuite {
    private BenchSuite() {}

    /** Runs the suite, printing a table to {@code out}; returns one result per config and thread count. */
    public static List<BenchResult> run(BenchOptions options, PrintStream out) {
        return run(options, Engines.get(), out);
    }

    /**
     * @throws IllegalStateException when the engine disagrees with the reference on a config's check instance
     * @throws IllegalArgumentException when {@code options.configs()} names an unknown config
     */
    public static List<BenchResult> run(BenchOptions options, ConvEngine engine, PrintStream out) {
        List<BenchConfig> configs = select(options);
        Map<Integer, Double> peaks = new HashMap<>();
        out.printf(Locale.ROOT, "engine %s, JVM %s, %d CPUs, suite %s%n", engine.name(),
                Runtime.version(), Runtime.getRuntime().availableProcessors(), options.suite());
        for (int t : options.threads()) {
            peaks.put(t, PeakFlops.measure(t));
            if (peaks.get(t).isNaN()) {
                out.printf(Locale.ROOT, "FMA peak at %d thread(s): not measured (no Vector API module or no FMA "
                        + "instructions)%n", t);
            } else {
                out.printf(Locale.ROOT, "FMA peak at %d thread(s): %.1f GFLOP/s (%d-bit vectors, %d chains per "
                        + "thread)%n", t, peaks.get(t), PeakFlops.vectorBits(), VectorFmaLoop.CHAINS);
            }
        }
        out.printf(Locale.ROOT, "%-24s %3s %5s %8s %9s %9s %9s %8s %7s %7s %8s%n", "config", "thr", "batch",
                "GFLOP", "median_ms", "GFLOP/s", "min..max", "", "%peak", "target", "vs 1 thr");
        boolean scaling = Arrays.stream(options.threads()).anyMatch(t -> t == 1);
        List<BenchResult> results = new ArrayList<>();
        for (BenchConfig config : configs) {
            check(engine, config.checkInstance());
            BenchConfig sized = options.quick() ? config.quick() : config;
            Layer layer = Layer.of(sized);
            PreparedConv prepared = engine.prepare(sized.geometry(), layer.weight(), layer.bias());
            for (int t : options.threads()) {
                BenchResult r = time(prepared, engine.name(), sized, layer, t, peaks.get(t), options.quick());
                if (scaling && t > 1) {
                    r = r.withSpeedupOverOneThread(ThreadScaling.speedup(prepared, layer.x(), layer.y(),
                            sized.batch(), t, options.quick() ? 250_000_000L : 1_500_000_000L,
                            options.quick() ? 3 : 7));
                }
                results.add(r);
                out.printf(Locale.ROOT, "%-24s %3d %5d %8.3f %9.3f %9.1f %8.1f..%-8.1f %6.1f%% %6.0f%% %8s%n",
                        r.config(), t, r.batch(), r.gflop(), r.medianMs(), r.gflops(), r.minGflops(), r.maxGflops(),
                        r.pctPeak(), r.targetPctPeak(), Double.isNaN(r.speedupOverOneThread()) ? ""
                                : String.format(Locale.ROOT, "%.2fx", r.speedupOverOneThread()));
            }
        }
        return results;
    }

    /** A config's random weights, bias, input and output array, shared by its thread counts. */
    private record Layer(float[] weight, float[] bias, float[] x, float[] y) {
        static Layer of(BenchConfig c) {
            ConvGeometry g = c.geometry();
            Random r = new Random(7);
            float[] w = random(r, (int) c.layer().weightCount());
            float[] bias = random(r, c.layer().outChannels());
            float[] x = random(r, c.batch() * g.inChannels() * (int) g.inSpatialSize());
            return new Layer(w, bias, x, new float[c.batch() * g.outChannels() * (int) g.outSpatialSize()]);
        }
    }

    private static List<BenchConfig> select(BenchOptions options) {
        List<BenchConfig> all = BenchConfig.standard();
        if (options.configs().isEmpty()) return all;
        List<BenchConfig> chosen = new ArrayList<>();
        for (String name : options.configs()) {
            BenchConfig found = all.stream().filter(c -> c.name().equals(name)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("unknown bench config '" + name + "', expected one of "
                            + all.stream().map(BenchConfig::name).toList()));
            chosen.add(found);
        }
        return chosen;
    }

    /** Runs the fast engine and the reference on one small instance; throws on any element off by > 1e-5 max|y|. */
    static void check(ConvEngine engine, BenchConfig c) {
        ConvGeometry g = c.geometry();
        Random r = new Random(42);
        float[] w = random(r, (int) c.layer().weightCount());
        float[] bias = random(r, c.layer().outChannels());
        float[] x = random(r, c.batch() * g.inChannels() * (int) g.inSpatialSize());
        int outLen = c.batch() * g.outChannels() * (int) g.outSpatialSize();
        float[] expected = new float[outLen];
        float[] actual = new float[outLen];
        new ReferenceConv().prepare(g, w, bias).run(x, expected, c.batch(), 1);
        engine.prepare(g, w, bias).run(x, actual, c.batch(), 2);
        double scale = 0;
        double worst = 0;
        for (int i = 0; i < outLen; i++) {
            scale = Math.max(scale, Math.abs(expected[i]));
            double err = Math.abs(actual[i] - expected[i]);
            if (!(err <= worst)) worst = err;
        }
        if (!(worst <= 1e-5 * Math.max(scale, 1e-3))) {
            throw new IllegalStateException("bench check failed: " + engine.name() + " differs from the reference on "
                    + c.name() + " " + Arrays.toString(c.inShape()) + " by " + worst + " (max |y| " + scale + ")");
        }
    }

    private static BenchResult time(PreparedConv prepared, String engineName, BenchConfig c, Layer layer,
                                    int threads, double peak, boolean quick) {
        float[] x = layer.x();
        float[] y = layer.y();
        long warmNanos = quick ? 150_000_000L : 600_000_000L;
        long measureNanos = quick ? 250_000_000L : 1_500_000_000L;
        int minReps = quick ? 3 : 7;
        double perCall = warmUp(prepared, x, y, c.batch(), threads, warmNanos);
        int reps = (int) Math.max(minReps, Math.min(200, measureNanos / perCall));
        double[] ms = new double[reps];
        for (int i = 0; i < reps; i++) {
            long t0 = System.nanoTime();
            prepared.run(x, y, c.batch(), threads);
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(ms);
        double median = reps % 2 == 1 ? ms[reps / 2] : (ms[reps / 2 - 1] + ms[reps / 2]) / 2;
        return new BenchResult(c.name(), engineName, threads, c.batch(), c.flopsPerCall() / 1e9, median, ms[0],
                ms[reps - 1], peak, c.targetPctPeak(), Double.NaN);
    }

    /**
     * Calls until the JIT is done with the layer's code: at least {@code warmNanos}, then on (up to 20x as long)
     * while the JIT is still compiling or a round of calls still runs more than 3% faster than the best round before
     * it. On a busy machine the compiler threads get little CPU and the Vector API code runs interpreted, 100x slower,
     * for seconds: a fixed warm-up timed the first configs of the quick suite half-compiled. Returns the ns per call
     * of the best round.
     */
    private static double warmUp(PreparedConv prepared, float[] x, float[] y, int batch, int threads,
                                 long warmNanos) {
        long begin = System.nanoTime();
        double best = Double.MAX_VALUE;
        boolean settling = true;
        while (System.nanoTime() - begin < warmNanos || settling && System.nanoTime() - begin < 20 * warmNanos) {
            long compiled = compilationMillis();
            long roundBegin = System.nanoTime();
            int calls = 0;
            do {
                prepared.run(x, y, batch, threads);
                calls++;
            } while (calls < 3 || System.nanoTime() - roundBegin < warmNanos / 8);
            double perCall = (System.nanoTime() - roundBegin) / (double) calls;
            settling = perCall < best * 0.97 || compilationMillis() != compiled;
            best = Math.min(best, perCall);
        }
        return best;
    }

    /** The JIT's total compilation time so far, or 0 when the JVM does not report it. */
    private static long compilationMillis() {
        var jit = java.lang.management.ManagementFactory.getCompilationMXBean();
        return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : 0;
    }

    private static float[] random(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = r.nextFloat() * 2 - 1;
        return a;
    }

    /** {@code BenchSuite [quick|standard] [threads...]}: for running from the command line during development. */
    public static void main(String[] args) {
        String suite = args.length > 0 ? args[0] : BenchOptions.STANDARD;
        int[] threads = args.length > 1 ? Arrays.stream(args, 1, args.length).mapToInt(Integer::parseInt).toArray()
                : new int[] {1, 2};
        run(BenchOptions.of(suite, threads), System.out);
    }
}
