package io.convjob.fast;

/** {@code y[yOff + i] += w * x[xOff + i]} for {@code i < len}: the inner loop of the depthwise path. */
interface RowAxpy {
    void axpy(float w, float[] x, int xOff, float[] y, int yOff, int len);

    /** Plain loop for the scalar engine. */
    RowAxpy SCALAR = (w, x, xOff, y, yOff, len) -> {
        for (int i = 0; i < len; i++) y[yOff + i] += w * x[xOff + i];
    };
}
