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
     * over the {@code height x width} plane, reads outside the plane counting as zero. Needs {@code width > lanes()},
     * and one float of x either side of the plane ({@code xOff >= 1}, {@code xOff + height * width < x.length}): the
     * kernel loads them (and clears them in its sums) because whole shifted vectors start or end there.
     */
    void plane(float[] x, int xOff, int height, int width, float[] w9, int wOff, float bias, float[] y, int yOff);
}
