package io.convjob.pool;

/**
 * The primitives every pooling pass is made of, for one reduction along one dim. Two kinds: across rows (the
 * pooled dim is not the innermost, so a window is {@code rows} contiguous rows, reduced elementwise) and along a
 * row (the innermost dim, windows of {@code k} contiguous elements, {@code stride} apart). Implementations:
 * {@link ScalarPoolKernel}, and {@code VectorPoolKernel512/256/128} (Vector API). Callers pass clean arguments:
 * {@code rows >= 1}, {@code k >= 1}, every index in bounds, {@code dst} not overlapping {@code src}.
 */
interface PoolKernel {
    /** {@code dst[dOff + i] = max_{r < rows} src[off + r * rowStride + i]} for {@code i < len}. */
    void maxRows(float[] src, int off, int rowStride, int rows, float[] dst, int dOff, int len);

    /** {@code dst[dOff + i] = scale * sum_{r < rows} src[off + r * rowStride + i]} for {@code i < len}. */
    void sumRows(float[] src, int off, int rowStride, int rows, float scale, float[] dst, int dOff, int len);

    /** {@code dst[dOff + o] = max_{j < k} src[off + o * stride + j]} for {@code o < outLen}. */
    void maxWindows(float[] src, int off, int stride, int k, float[] dst, int dOff, int outLen);

    /** {@code dst[dOff + o] = scale * sum_{j < k} src[off + o * stride + j]} for {@code o < outLen}. */
    void sumWindows(float[] src, int off, int stride, int k, float scale, float[] dst, int dOff, int outLen);

    /** {@code a[i] = a[i] > 0 ? a[i] : 0} for {@code i} in {@code [off, off + len)}: {@code Activation.RELU} exactly. */
    void reluInPlace(float[] a, int off, int len);

    /** For messages and benchmarks, e.g. {@code scalar} or {@code vector-512}. */
    String name();
}
