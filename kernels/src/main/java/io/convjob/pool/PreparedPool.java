package io.convjob.pool;

import io.convjob.fast.WorkPool;
import io.convjob.shape.PoolGeometry;
import io.convjob.shape.WindowMap;
import io.convjob.spec.Activation;
import io.convjob.spec.PoolReduction;

import java.util.ArrayList;
import java.util.List;

/**
 * A {@link PoolGeometry} ready to run over planes {@code (rows, *spatial)} (rows = batch x channels). Max and sum
 * over a product of per-dim windows are separable, so the layer runs as one pass per spatial dim, outermost first:
 * across rows of the inner dims (vectorised elementwise), then the innermost dim along each row (vectorised for
 * stride 1 and 2); the last two dims run as one sweep, row by row, so their intermediate stays in L1. Dims whose map is the identity are skipped. A mean scales each pass by 1 / that dim's divisor,
 * so the whole divides by the product of the divisors. Thread-safe; scratch planes are reused per thread.
 */
public final class PreparedPool {
    private final PoolGeometry geometry;
    private final PoolKernel kernel;
    private final boolean max;
    /** The dims to pool, outermost first (identity maps left out). */
    private final int[] passes;
    private final int inPlane;
    private final int outPlane;
    private final ThreadLocal<float[][]> scratch = ThreadLocal.withInitial(() -> new float[][] {new float[0], new float[0], new float[0]});

    PreparedPool(PoolGeometry geometry, PoolKernel kernel) {
        this.geometry = geometry;
        this.kernel = kernel;
        this.max = geometry.reduction() == PoolReduction.MAX;
        List<Integer> dims = new ArrayList<>();
        for (int d = 0; d < geometry.spatialDims(); d++) {
            if (!geometry.map(d).isIdentity()) dims.add(d);
        }
        this.passes = dims.stream().mapToInt(Integer::intValue).toArray();
        this.inPlane = Math.toIntExact(product(geometry.inShape()));
        this.outPlane = Math.toIntExact(product(geometry.outShape()));
    }

    public PoolGeometry geometry() { return geometry; }

    /** The kernel's name, e.g. {@code vector-512}. */
    public String kernelName() { return kernel.name(); }

    /**
     * Pools {@code rows} planes of {@code x} into {@code y} (both from offset 0).
     *
     * @param after an activation applied to the pooled values, or null: the model passes the activation that
     *              preceded a MaxPool when {@code pool(act(x)) == act(pool(x))} (see {@link #commutesWith})
     */
    public void run(float[] x, float[] y, int rows, int threads, Activation after) {
        if (rows == 0 || outPlane == 0) return;
        WorkPool.forEach(rows, threads, r -> runPlane(x, r * inPlane, y, r * outPlane, after));
    }

    /**
     * Whether applying {@code activation} after this pooling equals applying it before: for MaxPool and a
     * non-decreasing activation (relu, sigmoid, tanh), unless a window lies wholly in the padding (there the
     * max of nothing is {@code -inf}, and {@code act(-inf)} differs).
     */
    public boolean commutesWith(Activation activation) {
        boolean monotone = activation == Activation.RELU || activation == Activation.SIGMOID
                || activation == Activation.TANH;
        return max && monotone && !geometry.hasEmptyWindow();
    }

    private void runPlane(float[] x, int xOff, float[] y, int yOff, Activation after) {
        if (passes.length == 0) {
            System.arraycopy(x, xOff, y, yOff, inPlane);
        } else {
            int[] shape = geometry.inShape();
            float[][] buffers = scratch.get();
            float[] src = x;
            int srcOff = xOff;
            // the last two dims together when both pool: one reduced row at a time, kept in L1, instead of a plane
            boolean fuseLastTwo = passes.length >= 2 && passes[passes.length - 1] == shape.length - 1
                    && passes[passes.length - 2] == shape.length - 2;
            int separate = fuseLastTwo ? passes.length - 2 : passes.length;
            for (int i = 0; i < separate; i++) {
                int d = passes[i];
                boolean last = !fuseLastTwo && i == passes.length - 1;
                float[] dst;
                int dstOff;
                if (last) {
                    dst = y;
                    dstOff = yOff;
                } else {
                    int need = Math.toIntExact(product(shape) / shape[d] * geometry.map(d).outSize());
                    if (buffers[i & 1].length < need) buffers[i & 1] = new float[need];
                    dst = buffers[i & 1];
                    dstOff = 0;
                }
                pass(d, shape, src, srcOff, dst, dstOff);
                shape[d] = geometry.map(d).outSize();
                src = dst;
                srcOff = dstOff;
            }
            if (fuseLastTwo) lastTwo(shape, src, srcOff, y, yOff, buffers);
        }
        if (after == Activation.RELU) {
            kernel.reluInPlace(y, yOff, outPlane);
        } else if (after != null) {
            after.applyInPlace(y, yOff, yOff + outPlane);
        }
    }

    /** Pools dim {@code d} of a plane of {@code shape} (dims before d already pooled). */
    private void pass(int d, int[] shape, float[] src, int srcOff, float[] dst, int dstOff) {
        WindowMap map = geometry.map(d);
        int outer = 1;
        for (int i = 0; i < d; i++) outer *= shape[i];
        int inner = 1;
        for (int i = d + 1; i < shape.length; i++) inner *= shape[i];
        int size = shape[d];
        int outSize = map.outSize();
        for (int o1 = 0; o1 < outer; o1++) {
            int s = srcOff + o1 * size * inner;
            int t = dstOff + o1 * outSize * inner;
            if (inner == 1) {
                along(map, src, s, dst, t);
            } else {
                across(map, inner, src, s, dst, t);
            }
        }
    }

    /** The last two dims (rows, then along each row) in one sweep: each output row from one reduced input row. */
    private void lastTwo(int[] shape, float[] src, int srcOff, float[] dst, int dstOff, float[][] buffers) {
        int n = shape.length;
        WindowMap rows = geometry.map(n - 2);
        WindowMap cols = geometry.map(n - 1);
        int outer = 1;
        for (int i = 0; i < n - 2; i++) outer *= shape[i];
        int h = shape[n - 2];
        int w = shape[n - 1];
        int outH = rows.outSize();
        int outW = cols.outSize();
        // slack past the row end lets the stride-2 vector loop run to the last output
        if (buffers[2].length < w + 64) buffers[2] = new float[w + 64];
        float[] row = buffers[2];
        int rowStride = rows.step() * w;
        for (int o1 = 0; o1 < outer; o1++) {
            int s = srcOff + o1 * h * w;
            int t = dstOff + o1 * outH * outW;
            for (int o = 0; o < outH; o++) {
                int count = rows.count(o);
                int to = t + o * outW;
                if (count == 0) {
                    java.util.Arrays.fill(dst, to, to + outW, max ? Float.NEGATIVE_INFINITY : 0f);
                    continue;
                }
                if (max) {
                    kernel.maxRows(src, s + rows.start(o) * w, rowStride, count, row, 0, w);
                } else {
                    kernel.sumRows(src, s + rows.start(o) * w, rowStride, count, 1f / rows.divisor(o), row, 0, w);
                }
                along(cols, row, 0, dst, to);
            }
        }
    }

    /** A dim with inner dims after it: each window is {@code count} rows of {@code inner} values. */
    private void across(WindowMap map, int inner, float[] src, int s, float[] dst, int t) {
        int rowStride = map.step() * inner;
        for (int o = 0; o < map.outSize(); o++) {
            int count = map.count(o);
            int to = t + o * inner;
            if (count == 0) {
                java.util.Arrays.fill(dst, to, to + inner, max ? Float.NEGATIVE_INFINITY : 0f);
            } else if (max) {
                kernel.maxRows(src, s + map.start(o) * inner, rowStride, count, dst, to, inner);
            } else {
                kernel.sumRows(src, s + map.start(o) * inner, rowStride, count, 1f / map.divisor(o), dst, to, inner);
            }
        }
    }

    /** The innermost dim of one row: the regular run through the kernel, the windows around it one by one. */
    private void along(WindowMap map, float[] src, int s, float[] dst, int t) {
        int from = map.runFrom();
        int to = map.runTo();
        boolean contiguous = map.step() == 1 && to > from;
        if (!contiguous) {
            from = 0;
            to = 0;
        }
        for (int o = 0; o < from; o++) dst[t + o] = window(map, o, src, s);
        if (contiguous) {
            int first = s + map.start(from);
            if (max) {
                kernel.maxWindows(src, first, map.runStride(), map.runCount(), dst, t + from, to - from);
            } else {
                kernel.sumWindows(src, first, map.runStride(), map.runCount(), 1f / map.divisor(from), dst, t + from,
                        to - from);
            }
        }
        for (int o = to; o < map.outSize(); o++) dst[t + o] = window(map, o, src, s);
    }

    private float window(WindowMap map, int o, float[] src, int s) {
        int p = s + map.start(o);
        int step = map.step();
        int count = map.count(o);
        if (max) {
            float m = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < count; j++) m = Math.max(m, src[p + j * step]);
            return m;
        }
        float sum = 0f;
        for (int j = 0; j < count; j++) sum += src[p + j * step];
        return sum * (1f / map.divisor(o));
    }

    private static long product(int[] shape) {
        long n = 1;
        for (int s : shape) n *= s;
        return n;
    }
}
