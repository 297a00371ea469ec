package io.convjob.fast;

/**
 * The inner loop of {@link Depthwise3x3}: one channel plane of a 3x3, stride 1, zero-pad 1 depthwise layer.
 *
 * <p>Depthwise3x3Kernel256 and Depthwise3x3Kernel128 are generated from Depthwise3x3Kernel512 at build time (every
 * "512" replaced; see the {@code vector-species} execution in kernels/pom.xml): edit the 512-bit class only.
 */
interface Depthwise3x3Kernel {
    /** Floats per vector. */
    int lanes();

    /**
     * {@code y[yOff + r * width + c] = bias + sum_{i,j < 3} w9[wOff + 3i + j] * x[xOff + (r + i - 1) * width + c + j - 1]}
     * over the {@code height x width} plane, reads outside the plane counting as zero. Needs {@code width > lanes()}
     * and a buffer {@code padded} of {@code height * (width + 2)} floats whose columns 0 and {@code width + 1} of
     * every row are zero (the kernel writes only the others).
     */
    void plane(float[] x, int xOff, int height, int width, float[] w9, int wOff, float bias, float[] y, int yOff, float[] padded);
}
