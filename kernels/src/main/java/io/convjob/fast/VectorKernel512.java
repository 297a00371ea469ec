package io.convjob.fast;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * 8 output channels x 2 vectors of positions: 16 accumulators plus 2 patch vectors and a broadcast stay in
 * registers (8 x 3 spilled and C2 boxed vectors, 10x slower). One class per vector size because the Vector API
 * only compiles to SIMD when the species is a constant: VectorKernel256 and VectorKernel128 are generated from
 * this file at build time (only the species and the class name differ): edit this one.
 */
final class VectorKernel512 implements MicroKernel {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_512;
    private static final int L = S.length();
    static final int ROWS = 8;
    private static final float[] ZEROS = new float[L];

    @Override public int rows() { return ROWS; }
    @Override public int width() { return 2 * L; }

    @Override public void run(float[] a, int aOff, float[] b, int bOff, int kc, float[] c, int cOff, int ldc,
                              int validRows, float[] bias, int biasOff, boolean init) {
        if (init) {
            for (int r = 0; r < validRows; r++) {
                int row = cOff + r * ldc;
                java.util.Arrays.fill(c, row, row + 2 * L, bias == null ? 0f : bias[biasOff + r]);
            }
        }
        FloatVector c00 = load(c, cOff, ldc, 0, 0, validRows);
        FloatVector c01 = load(c, cOff, ldc, 0, 1, validRows);
        FloatVector c10 = load(c, cOff, ldc, 1, 0, validRows);
        FloatVector c11 = load(c, cOff, ldc, 1, 1, validRows);
        FloatVector c20 = load(c, cOff, ldc, 2, 0, validRows);
        FloatVector c21 = load(c, cOff, ldc, 2, 1, validRows);
        FloatVector c30 = load(c, cOff, ldc, 3, 0, validRows);
        FloatVector c31 = load(c, cOff, ldc, 3, 1, validRows);
        FloatVector c40 = load(c, cOff, ldc, 4, 0, validRows);
        FloatVector c41 = load(c, cOff, ldc, 4, 1, validRows);
        FloatVector c50 = load(c, cOff, ldc, 5, 0, validRows);
        FloatVector c51 = load(c, cOff, ldc, 5, 1, validRows);
        FloatVector c60 = load(c, cOff, ldc, 6, 0, validRows);
        FloatVector c61 = load(c, cOff, ldc, 6, 1, validRows);
        FloatVector c70 = load(c, cOff, ldc, 7, 0, validRows);
        FloatVector c71 = load(c, cOff, ldc, 7, 1, validRows);
        int w = 2 * L;
        for (int k = 0; k < kc; k++) {
            int bk = bOff + k * w;
            FloatVector b0 = FloatVector.fromArray(S, b, bk + 0 * L);
            FloatVector b1 = FloatVector.fromArray(S, b, bk + 1 * L);
            int ak = aOff + k * ROWS;
            FloatVector a0 = FloatVector.broadcast(S, a[ak + 0]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(S, a[ak + 1]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(S, a[ak + 2]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(S, a[ak + 3]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
            FloatVector a4 = FloatVector.broadcast(S, a[ak + 4]);
            c40 = a4.fma(b0, c40);
            c41 = a4.fma(b1, c41);
            FloatVector a5 = FloatVector.broadcast(S, a[ak + 5]);
            c50 = a5.fma(b0, c50);
            c51 = a5.fma(b1, c51);
            FloatVector a6 = FloatVector.broadcast(S, a[ak + 6]);
            c60 = a6.fma(b0, c60);
            c61 = a6.fma(b1, c61);
            FloatVector a7 = FloatVector.broadcast(S, a[ak + 7]);
            c70 = a7.fma(b0, c70);
            c71 = a7.fma(b1, c71);
        }
        if (0 < validRows) {
            c00.intoArray(c, cOff + 0 * ldc + 0 * L);
            c01.intoArray(c, cOff + 0 * ldc + 1 * L);
        }
        if (1 < validRows) {
            c10.intoArray(c, cOff + 1 * ldc + 0 * L);
            c11.intoArray(c, cOff + 1 * ldc + 1 * L);
        }
        if (2 < validRows) {
            c20.intoArray(c, cOff + 2 * ldc + 0 * L);
            c21.intoArray(c, cOff + 2 * ldc + 1 * L);
        }
        if (3 < validRows) {
            c30.intoArray(c, cOff + 3 * ldc + 0 * L);
            c31.intoArray(c, cOff + 3 * ldc + 1 * L);
        }
        if (4 < validRows) {
            c40.intoArray(c, cOff + 4 * ldc + 0 * L);
            c41.intoArray(c, cOff + 4 * ldc + 1 * L);
        }
        if (5 < validRows) {
            c50.intoArray(c, cOff + 5 * ldc + 0 * L);
            c51.intoArray(c, cOff + 5 * ldc + 1 * L);
        }
        if (6 < validRows) {
            c60.intoArray(c, cOff + 6 * ldc + 0 * L);
            c61.intoArray(c, cOff + 6 * ldc + 1 * L);
        }
        if (7 < validRows) {
            c70.intoArray(c, cOff + 7 * ldc + 0 * L);
            c71.intoArray(c, cOff + 7 * ldc + 1 * L);
        }
    }

    /** Rows past {@code validRows} start from zeros; selecting the array, not the vector, avoids a vector phi. */
    private static FloatVector load(float[] c, int cOff, int ldc, int r, int v, int validRows) {
        boolean valid = r < validRows;
        return FloatVector.fromArray(S, valid ? c : ZEROS, valid ? cOff + r * ldc + v * L : 0);
    }
}
