package io.convjob.fast;

/** Runs in a per-dim source map ({@code ConvGeometry.sourceIndex}): where a kernel tap reads the input contiguously. */
final class SourceRuns {
    private SourceRuns() {}

    /**
     * The longest stretch {@code [lo, hi)} of {@code src} whose entries are valid input indices stepping by
     * {@code step} ({@code src[q + 1] == src[q] + step}); {@code {0, 0}} when none is.
     */
    static int[] longest(int[] src, int step) {
        int bestLo = 0;
        int bestLen = 0;
        int q = 0;
        while (q < src.length) {
            if (src[q] < 0) {
                q++;
                continue;
            }
            int lo = q;
            while (q + 1 < src.length && src[q + 1] == src[q] + step) q++;
            q++;
            if (q - lo > bestLen) {
                bestLen = q - lo;
                bestLo = lo;
            }
        }
        return new int[] {bestLo, bestLo + bestLen};
    }
}
