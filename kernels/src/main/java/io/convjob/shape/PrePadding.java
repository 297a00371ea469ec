package io.convjob.shape;

import io.convjob.spec.PaddingMode;

/** Index arithmetic of {@code jnp.pad}'s modes: which input element a padded position copies. */
public final class PrePadding {
    private PrePadding() {}

    /**
     * The input index that position {@code i} (may lie outside {@code [0, size)}) takes under {@code mode},
     * or -1 for a zero. Repeats like numpy when the pad is wider than the input.
     */
    public static int source(int i, int size, PaddingMode mode) {
        if (i >= 0 && i < size) return i;
        return switch (mode) {
            case ZEROS -> -1;
            case REPLICATE -> i < 0 ? 0 : size - 1;
            case CIRCULAR -> Math.floorMod(i, size);
            case REFLECT -> {
                if (size == 1) yield 0;
                int period = 2 * (size - 1);
                int m = Math.floorMod(i, period);
                yield m < size ? m : period - m;
            }
        };
    }
}
