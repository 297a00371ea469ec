package io.convjob.job;

import java.util.Arrays;
import java.util.Locale;

/**
 * What a run did.
 *
 * @param output        the output directory
 * @param rows          rows written
 * @param rejected      rows recorded under {@code _rejected} (always 0 with {@code --on-bad-row=fail})
 * @param bytesIn       tensor bytes read
 * @param bytesOut      tensor bytes written
 * @param seconds       wall time from reading the spec to the committed output
 * @param macsPerSample multiply-accumulates per row over all conv layers
 */
public record JobSummary(String output, long rows, long rejected, long bytesIn, long bytesOut, double seconds,
        long macsPerSample, int[] inputShape, int[] outputShape) {

    public double rowsPerSecond() {
        return seconds > 0 ? rows / seconds : 0;
    }

    /** 2 * MACs per second, in billions. */
    public double gflops() {
        return seconds > 0 ? 2.0 * macsPerSample * rows / seconds / 1e9 : 0;
    }

    /** The lines {@code convjob run} prints at the end. */
    public String format() {
        return String.format(Locale.ROOT, "rows: %d (rejected: %d), shape %s -> %s%n"
                        + "bytes: %d read, %d written%n"
                        + "time: %.2f s, %.1f rows/s, %.3f GFLOP/s%n"
                        + "output: %s%n",
                rows, rejected, Arrays.toString(inputShape), Arrays.toString(outputShape), bytesIn, bytesOut,
                seconds, rowsPerSecond(), gflops(), output);
    }
}
