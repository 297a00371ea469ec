package io.convjob.fast;

/**
 * The GEMM inner block: {@code C[rows x width] (+)= A[rows x kc] * B[kc x width]}, A packed {@code [k][row]},
 * B packed {@code [k][width]}; C rows are {@code ldc} apart. Rows from {@code validRows} on are computed on
 * zero weights but never read or written.
 */
interface MicroKernel {

    /** Output channels per block (the packed weight row-block height). */
    int rows();

    /** Output positions per block (a multiple of the vector length). */
    int width();

    /**
     * @param bias    per-row start values when {@code init} (from {@code biasOff}), or null for zero
     * @param init    true: start from the bias; false: accumulate onto the values already in C
     */
    void run(float[] a, int aOff, float[] b, int bOff, int kc, float[] c, int cOff, int ldc, int validRows,
             float[] bias, int biasOff, boolean init);
}
