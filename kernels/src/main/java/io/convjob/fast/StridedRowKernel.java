package io.convjob.fast;

/**
 * The inner block of {@link StridedRowConv}: 7 consecutive output positions of one row of a 3-tap, stride-2 layer
 * (along the innermost dim) x 2 vectors of output channels, read from the NCHW input in place. Position j, tap kx
 * reads the input row at {@code r + 2j + kx}, so 7 positions read 15 consecutive floats; each float is broadcast once
 * and feeds the one or two (position, tap) pairs that read it. One call sums {@code steps} input rows, step s at
 * {@code r = inOff + s * inStride} (one input channel per step) with the weights {@code W[s][kx][2 * lanes()]} packed
 * from {@code wOff}: {@code C[j][oc] += sum_s sum_kx W[s][kx][oc] * in[inOff + s * inStride + 2j + kx]}. C is read and
 * written position-major, {@code acc[accOff + j * 2 * lanes() + oc]}.
 *
 * <p>StridedRowKernel256 and StridedRowKernel128 are generated from StridedRowKernel512 at build time (see the
 * {@code vector-species} execution in kernels/pom.xml): edit the 512-bit class only.
 */
interface StridedRowKernel {
    /** Floats per vector. */
    int lanes();

    /** 7 positions x 2 vectors of output channels (14 accumulators, 6 weight vectors, 1 broadcast). */
    void row2x7(float[] w, int wOff, float[] in, int inOff, int inStride, int steps, float[] acc, int accOff);

    /**
     * As {@link #row2x7} for a row's first tile when the input starts one column left of the row: {@code in[r]} is
     * never read (it is padding, a zero).
     */
    void row2x7Left(float[] w, int wOff, float[] in, int inOff, int inStride, int steps, float[] acc, int accOff);
}
