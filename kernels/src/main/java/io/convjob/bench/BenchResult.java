package io.convjob.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One config at one thread count. {@code gflops} is at the median time; {@code pctPeak} compares it with
 * {@code peakGflops}, the FMA-loop peak measured in the same run at the same thread count.
 * {@code speedupOverOneThread} is {@link ThreadScaling}'s figure for this thread count, NaN when not measured (one
 * thread, or a run without a 1-thread count).
 */
public record BenchResult(String config, String engine, int threads, int batch, double gflop, double medianMs,
                          double minMs, double maxMs, double peakGflops, double targetPctPeak,
                          double speedupOverOneThread) {

    BenchResult withSpeedupOverOneThread(double speedup) {
        return new BenchResult(config, engine, threads, batch, gflop, medianMs, minMs, maxMs, peakGflops,
                targetPctPeak, speedup);
    }

    public double gflops() { return gflop / (medianMs / 1e3); }
    public double maxGflops() { return gflop / (minMs / 1e3); }
    public double minGflops() { return gflop / (maxMs / 1e3); }
    public double pctPeak() { return 100.0 * gflops() / peakGflops; }

    /**
     * As a JSON object: config, threads, batch, gflop, median_ms, gflops, peak_gflops, pct_peak, and extras
     * (speedup_over_1_thread only when measured).
     */
    public Map<String, Object> toJsonMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("config", config);
        m.put("threads", threads);
        m.put("batch", batch);
        m.put("gflop", gflop);
        m.put("median_ms", medianMs);
        m.put("gflops", gflops());
        m.put("peak_gflops", peakGflops);
        m.put("pct_peak", pctPeak());
        m.put("min_ms", minMs);
        m.put("max_ms", maxMs);
        m.put("engine", engine);
        m.put("target_pct_peak", targetPctPeak);
        if (!Double.isNaN(speedupOverOneThread)) m.put("speedup_over_1_thread", speedupOverOneThread);
        return m;
    }

    /** The results as a pretty-printed JSON array. */
    public static String toJson(List<BenchResult> results) {
        try {
            return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsString(results.stream().map(BenchResult::toJsonMap).toList());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise bench results", e);
        }
    }
}
