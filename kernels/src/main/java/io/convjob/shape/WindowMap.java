package io.convjob.shape;

import java.util.Arrays;

/**
 * One spatial dim of a pooling layer: for each output index {@code o}, the input elements
 * {@code start[o] + j * step} for {@code j < count[o]}, all inside {@code [0, inSize)} (padding already
 * resolved: what lay in the padding is left out), and the divisor a mean reduction uses for that index. A layer's
 * window is the product of one map per spatial dim; a mean divides by the product of the dims' divisors.
 *
 * <p>Every pooling semantics is a way to build these maps: equinox's sliding windows (divisor
 * {@code kernel_size}, padding counted), PyTorch's {@code count_include_pad=False} (divisor = elements in
 * bounds), {@code ceil_mode}, MaxPool {@code dilation} ({@code step}), equinox's and PyTorch's adaptive windows.
 * The same kernels run them all.
 */
public final class WindowMap {
    /** What a mean divides a sliding window's sum by. */
    public enum Divisor {
        /** The full kernel size, padding and overhang counted (equinox's AvgPool, PyTorch's default). */
        KERNEL,
        /** Only the elements inside the input (PyTorch's {@code count_include_pad=False}). */
        IN_BOUNDS,
        /** The elements inside the padded input {@code [-padLo, inSize + padHi)}: PyTorch's count with ceil_mode. */
        PADDED
    }

    private final int inSize;
    private final int step;
    private final int[] start;
    private final int[] count;
    private final float[] divisor;
    /** The longest run of outputs whose windows all have {@code runCount} elements, starts {@code runStride} apart. */
    private final int runFrom;
    private final int runTo;
    private final int runStride;
    private final int runCount;

    private WindowMap(int inSize, int step, int[] start, int[] count, float[] divisor) {
        if (inSize < 0 || step < 1) throw new IllegalArgumentException("inSize " + inSize + ", step " + step);
        if (start.length != count.length || start.length != divisor.length) {
            throw new IllegalArgumentException("start, count and divisor differ in length");
        }
        for (int o = 0; o < start.length; o++) {
            if (count[o] < 0 || count[o] > 0 && (start[o] < 0 || start[o] + (long) (count[o] - 1) * step >= inSize)) {
                throw new IllegalArgumentException("window " + o + " (start " + start[o] + ", count " + count[o]
                        + ", step " + step + ") leaves [0, " + inSize + ")");
            }
        }
        this.inSize = inSize;
        this.step = step;
        this.start = start;
        this.count = count;
        this.divisor = divisor;
        int[] run = longestRun(start, count, divisor);
        this.runFrom = run[0];
        this.runTo = run[1];
        this.runStride = run[2];
        this.runCount = run[0] < run[1] ? count[run[0]] : 0;
    }

    /**
     * Any windows: each output's first element, element count and divisor (copied).
     *
     * @throws IllegalArgumentException if a window leaves {@code [0, inSize)} or the arrays differ in length
     */
    public static WindowMap of(int inSize, int step, int[] start, int[] count, float[] divisor) {
        return new WindowMap(inSize, step, start.clone(), count.clone(), divisor.clone());
    }

    /**
     * Sliding windows over a padded dim: output {@code o} covers padded positions
     * {@code o * stride - padLo + j * dilation}, {@code j < kernel}, clipped to the input.
     *
     * @param outSize the number of windows (the caller's output-size rule: floor, ceil, ...)
     * @param padHi   used only by {@link Divisor#PADDED}
     */
    public static WindowMap sliding(int inSize, int kernel, int stride, int dilation, int padLo, int padHi,
                                    int outSize, Divisor divisor) {
        int[] start = new int[outSize];
        int[] count = new int[outSize];
        float[] div = new float[outSize];
        for (int o = 0; o < outSize; o++) {
            long first = (long) o * stride - padLo;
            // taps j in [0, kernel) at first + j * dilation: those inside [0, inSize), and inside the padded extent
            long[] in = taps(first, kernel, dilation, 0, inSize);
            long[] padded = taps(first, kernel, dilation, -padLo, (long) inSize + padHi);
            int inBounds = (int) (in[1] - in[0]);
            start[o] = inBounds == 0 ? 0 : (int) (first + in[0] * dilation);
            count[o] = inBounds;
            div[o] = switch (divisor) {
                case KERNEL -> kernel;
                case IN_BOUNDS -> inBounds;
                case PADDED -> (float) (padded[1] - padded[0]);
            };
        }
        return new WindowMap(inSize, dilation, start, count, div);
    }

    /** The taps {@code [jFrom, jTo)} of {@code first + j * step}, {@code j < kernel}, that land in {@code [lo, hi)}. */
    private static long[] taps(long first, int kernel, int step, long lo, long hi) {
        long from = Math.max(0, Math.floorDiv(lo - first + step - 1, step));
        long to = Math.min(kernel, Math.floorDiv(hi - 1 - first, step) + 1);
        return to > from ? new long[] {from, to} : new long[] {0, 0};
    }

    /**
     * equinox's adaptive windows: {@code inSize} cut into {@code target} consecutive windows, the first
     * {@code inSize % target} one longer; divisor = length. Needs {@code 1 <= target <= inSize}.
     */
    public static WindowMap equinoxAdaptive(int inSize, int target) {
        if (target < 1 || target > inSize) throw new IllegalArgumentException("target " + target + " for size " + inSize);
        int base = inSize / target;
        int longer = inSize % target;
        int[] start = new int[target];
        int[] count = new int[target];
        float[] div = new float[target];
        int at = 0;
        for (int o = 0; o < target; o++) {
            count[o] = o < longer ? base + 1 : base;
            start[o] = at;
            div[o] = count[o];
            at += count[o];
        }
        return new WindowMap(inSize, 1, start, count, div);
    }

    /**
     * PyTorch's adaptive windows {@code [floor(o * d / t), ceil((o + 1) * d / t))}: they may overlap, and
     * {@code target > inSize} is allowed; divisor = length.
     */
    public static WindowMap torchAdaptive(int inSize, int target) {
        if (target < 1) throw new IllegalArgumentException("target " + target);
        int[] start = new int[target];
        int[] count = new int[target];
        float[] div = new float[target];
        for (int o = 0; o < target; o++) {
            int from = (int) ((long) o * inSize / target);
            int to = (int) (((long) (o + 1) * inSize + target - 1) / target);
            start[o] = from;
            count[o] = to - from;
            div[o] = count[o];
        }
        return new WindowMap(inSize, 1, start, count, div);
    }

    public int inSize() { return inSize; }
    public int outSize() { return start.length; }
    /** Distance between a window's elements (MaxPool dilation); 1 for contiguous windows. */
    public int step() { return step; }
    public int start(int o) { return start[o]; }
    public int count(int o) { return count[o]; }
    public float divisor(int o) { return divisor[o]; }

    /**
     * The regular run, where kernels vectorise: outputs {@code [runFrom, runTo)} start {@code runStride} apart and
     * have {@code runCount} elements and the same divisor each.
     */
    public int runFrom() { return runFrom; }
    public int runTo() { return runTo; }
    public int runStride() { return runStride; }
    public int runCount() { return runCount; }

    /** Whether some output's window lies wholly in the padding (MaxPool gives {@code -inf} there). */
    public boolean hasEmptyWindow() {
        for (int c : count) if (c == 0) return true;
        return false;
    }

    /** Whether the output is the input unchanged (one element per window, in order, divisor 1). */
    public boolean isIdentity() {
        if (start.length != inSize) return false;
        for (int o = 0; o < start.length; o++) {
            if (start[o] != o || count[o] != 1 || divisor[o] != 1f) return false;
        }
        return true;
    }

    /** {@code [from, to, stride]} of the longest run of equal counts >= 1 and divisors, equally spaced starts. */
    private static int[] longestRun(int[] start, int[] count, float[] divisor) {
        int bestFrom = 0;
        int bestTo = 0;
        int bestStride = 1;
        int o = 0;
        while (o < start.length) {
            if (count[o] == 0) {
                o++;
                continue;
            }
            int stride = o + 1 < start.length ? start[o + 1] - start[o] : 1;
            if (stride < 1) stride = 1;
            int end = o + 1;
            while (end < start.length && count[end] == count[o] && divisor[end] == divisor[o]
                    && start[end] - start[end - 1] == stride) {
                end++;
            }
            if (end - o > bestTo - bestFrom) {
                bestFrom = o;
                bestTo = end;
                bestStride = stride;
            }
            o = end;
        }
        return new int[] {bestFrom, bestTo, bestStride};
    }

    @Override public String toString() {
        StringBuilder sb = new StringBuilder("WindowMap[in=" + inSize + ", step=" + step + ":");
        for (int o = 0; o < start.length; o++) {
            sb.append(' ').append(start[o]).append('+').append(count[o]).append('/').append(divisor[o]);
        }
        return sb.append(']').toString();
    }

    @Override public boolean equals(Object other) {
        return other instanceof WindowMap m && inSize == m.inSize && step == m.step && Arrays.equals(start, m.start)
                && Arrays.equals(count, m.count) && Arrays.equals(divisor, m.divisor);
    }

    @Override public int hashCode() {
        return 31 * Arrays.hashCode(start) + Arrays.hashCode(count);
    }
}
