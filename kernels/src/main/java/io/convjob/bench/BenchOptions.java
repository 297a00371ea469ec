package io.convjob.bench;

import java.util.List;

/**
 * What to benchmark.
 *
 * @param suite   {@code standard} (the nine configs at full size) or {@code quick} (smaller, fewer reps, < 30 s)
 * @param threads thread counts to run each config at, e.g. {@code {1, 2}}
 * @param configs config names to keep, or empty for all
 */
public record BenchOptions(String suite, int[] threads, List<String> configs) {
    public static final String STANDARD = "standard";
    public static final String QUICK = "quick";

    public BenchOptions {
        if (!STANDARD.equals(suite) && !QUICK.equals(suite)) {
            throw new IllegalArgumentException("suite: expected standard or quick, got '" + suite + "'");
        }
        if (threads.length == 0) throw new IllegalArgumentException("threads: at least one thread count needed");
        for (int t : threads) {
            if (t < 1) throw new IllegalArgumentException("threads: must be >= 1, got " + t);
        }
        threads = threads.clone();
        configs = List.copyOf(configs);
    }

    public static BenchOptions of(String suite, int... threads) {
        return new BenchOptions(suite, threads, List.of());
    }

    boolean quick() { return QUICK.equals(suite); }
}
