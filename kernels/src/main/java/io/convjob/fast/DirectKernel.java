package io.convjob.fast;

/**
 * The inner block of {@link DirectConv}: {@code C[8 x width] = bias + A[8 x K] * B[K x width]} where B row k
 * starts at {@code b[bOff + kOff[k]]} (a run of the split input or of a copied tile) and A is packed
 * {@code [k][8]}. All of K is summed in registers, so C is written once.
 *
 * <p>DirectKernel256 and DirectKernel128 are generated from DirectKernel512 at build time (every "512" replaced;
 * see the {@code vector-species} execution in kernels/pom.xml): edit the 512-bit class only.
 */
interface DirectKernel {
    /** Output channels per block. */
    int ROWS = 8;

    /**
     * Whether C2 has only 16 vector registers here ({@link VectorRegisters#SIXTEEN}): the 8 x 2
     * accumulators of {@link #tile2} then spill, and it runs as {@link #tile2Halves} instead (measured with
     * -XX:UseAVX=2, 1 thread: the bench's DirectConv rows from 34-64% of the 256-bit FMA peak to 71-98%; two one-vector
     * tiles, the other shape that fits, 0.8-0.9x the halves). AVX-512 and ARM have 32.
     */
    boolean SIXTEEN_VECTOR_REGISTERS = VectorRegisters.SIXTEEN;

    /** Floats per vector. */
    int lanes();

    /**
     * Two vectors of positions ({@code 2 * lanes()}); C rows are {@code ldc} apart, rows from {@code validRows}
     * on are not written. {@code bias} holds 8 start values from {@code biasOff}.
     */
    void tile2(float[] a, int aOff, float[] b, int bOff, int[] kOff, int depth, float[] bias, int biasOff,
               float[] c, int cOff, int ldc, int validRows);

    /**
     * As {@link #tile2}, as two halves of 4 rows (4 x 2 accumulators, 2 B vectors and a broadcast: 11 registers), each
     * reading all of B: for machines with 16 vector registers ({@link #SIXTEEN_VECTOR_REGISTERS}).
     */
    void tile2Halves(float[] a, int aOff, float[] b, int bOff, int[] kOff, int depth, float[] bias, int biasOff,
                     float[] c, int cOff, int ldc, int validRows);

    /** As {@link #tile2} for one vector of positions. */
    void tile1(float[] a, int aOff, float[] b, int bOff, int[] kOff, int depth, float[] bias, int biasOff,
               float[] c, int cOff, int ldc, int validRows);

    /**
     * Depthwise: {@code out[outOff + p] = bias + sum_t w[wOff + t] * in[inOff + p + tapOff[t]]} for {@code p < count}.
     * When {@code count >= lanes()} nothing past {@code count} is written (the last vector overlaps the one before);
     * otherwise two whole vectors are, and {@code out} must hold them; reads then run up to two vectors past count.
     */
    void depthwise(float[] in, int inOff, int[] tapOff, int taps, float[] w, int wOff, float bias, float[] out,
                   int outOff, int count);

    /**
     * Depthwise over {@code rows} rows of {@code rowLength >= lanes()} outputs written straight into place: row r
     * reads from {@code inOff + r * inPitch} and writes {@code out[outOff + r * outPitch + p]}, {@code p < rowLength};
     * nothing outside the rows is written (row ends are covered by an overlapping last vector).
     */
    void depthwiseRows(float[] in, int inOff, int inPitch, int[] tapOff, int taps, float[] w, int wOff, float bias,
                       float[] out, int outOff, int outPitch, int rowLength, int rows);

    /**
     * {@code dst[dstOff + i] = src[srcOff + 2 * i]} for {@code i < len}; when {@code len < lanes()} one whole vector
     * is written, zeros past len. Reads {@code src[srcOff .. srcOff + 2 * max(len, lanes()))}.
     */
    void copyEven(float[] src, int srcOff, float[] dst, int dstOff, int len);

    /**
     * A stride-2 split of one run, both parities in one pass: {@code dst[evenOff + i] = src[srcOff + 2 * i]} for
     * {@code i < evenLen} and {@code dst[oddOff + i] = src[srcOff + 1 + 2 * i]} for {@code i < oddLen}. Reads and
     * writes nothing else (the two runs must not overlap).
     */
    void splitEvenOdd(float[] src, int srcOff, float[] dst, int evenOff, int evenLen, int oddOff, int oddLen);

    /**
     * The inverse of {@link #splitEvenOdd}: {@code dst[dstOff + 2 * i] = even[evenOff + i]} and
     * {@code dst[dstOff + 2 * i + 1] = odd[oddOff + i]} for {@code i < len}; writes nothing else.
     */
    void interleave(float[] even, int evenOff, float[] odd, int oddOff, float[] dst, int dstOff, int len);

    /** {@code System.arraycopy} for short runs between distinct arrays, without the call. */
    void copy(float[] src, int srcOff, float[] dst, int dstOff, int len);
}
