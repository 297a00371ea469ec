package io.convjob.pool;

/** Plain Java pooling primitives: the fallback without the Vector API, and the vector kernels' tails. */
final class ScalarPoolKernel implements PoolKernel {
    static final ScalarPoolKernel INSTANCE = new ScalarPoolKernel();

    @Override public void maxRows(float[] src, int off, int rowStride, int rows, float[] dst, int dOff, int len) {
        maxRowsFrom(0, src, off, rowStride, rows, dst, dOff, len);
    }

    /** {@link #maxRows} for {@code i} in {@code [from, len)}. */
    static void maxRowsFrom(int from, float[] src, int off, int rowStride, int rows, float[] dst, int dOff, int len) {
        for (int i = from; i < len; i++) {
            float m = src[off + i];
            for (int r = 1; r < rows; r++) m = Math.max(m, src[off + r * rowStride + i]);
            dst[dOff + i] = m;
        }
    }

    @Override public void sumRows(float[] src, int off, int rowStride, int rows, float scale, float[] dst, int dOff,
                                  int len) {
        sumRowsFrom(0, src, off, rowStride, rows, scale, dst, dOff, len);
    }

    static void sumRowsFrom(int from, float[] src, int off, int rowStride, int rows, float scale, float[] dst,
                            int dOff, int len) {
        for (int i = from; i < len; i++) {
            float s = src[off + i];
            for (int r = 1; r < rows; r++) s += src[off + r * rowStride + i];
            dst[dOff + i] = s * scale;
        }
    }

    @Override public void maxWindows(float[] src, int off, int stride, int k, float[] dst, int dOff, int outLen) {
        maxWindowsFrom(0, src, off, stride, k, dst, dOff, outLen);
    }

    static void maxWindowsFrom(int from, float[] src, int off, int stride, int k, float[] dst, int dOff, int outLen) {
        for (int o = from; o < outLen; o++) {
            int p = off + o * stride;
            float m = src[p];
            for (int j = 1; j < k; j++) m = Math.max(m, src[p + j]);
            dst[dOff + o] = m;
        }
    }

    @Override public void sumWindows(float[] src, int off, int stride, int k, float scale, float[] dst, int dOff,
                                     int outLen) {
        sumWindowsFrom(0, src, off, stride, k, scale, dst, dOff, outLen);
    }

    static void sumWindowsFrom(int from, float[] src, int off, int stride, int k, float scale, float[] dst, int dOff,
                               int outLen) {
        for (int o = from; o < outLen; o++) {
            int p = off + o * stride;
            float s = src[p];
            for (int j = 1; j < k; j++) s += src[p + j];
            dst[dOff + o] = s * scale;
        }
    }

    @Override public void reluInPlace(float[] a, int off, int len) {
        reluFrom(0, a, off, len);
    }

    static void reluFrom(int from, float[] a, int off, int len) {
        for (int i = off + from; i < off + len; i++) a[i] = a[i] > 0f ? a[i] : 0f;
    }

    @Override public String name() { return "scalar"; }
}
