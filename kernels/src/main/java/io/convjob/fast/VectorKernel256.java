package io.convjob.fast;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * 8 output channels x 3 vectors of positions, 24 accumulators in registers; one class per vector size because
 * the Vector API only compiles to SIMD when the species is a constant. VectorKernel256 and VectorKernel128 are
 * generated copies of VectorKernel512 (only the species and class name differ): edit 512, then regenerate.
 */
final class VectorKernel256 implements MicroKernel {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_256;
    private static final int L = S.length();
    static final int ROWS = 8;

    @Override public int rows() { return ROWS; }
    @Override public int width() { return 3 * L; }

    @Override public void run(float[] a, int aOff, float[] b, int bOff, int kc, float[] c, int cOff, int ldc,
                              int validRows, float[] bias, int biasOff, boolean init) {
        FloatVector c00, c01, c02, c10, c11, c12, c20, c21, c22, c30, c31, c32;
        FloatVector c40, c41, c42, c50, c51, c52, c60, c61, c62, c70, c71, c72;
        c00 = start(c, cOff, ldc, 0, 0, validRows, bias, biasOff, init);
        c01 = start(c, cOff, ldc, 0, 1, validRows, bias, biasOff, init);
        c02 = start(c, cOff, ldc, 0, 2, validRows, bias, biasOff, init);
        c10 = start(c, cOff, ldc, 1, 0, validRows, bias, biasOff, init);
        c11 = start(c, cOff, ldc, 1, 1, validRows, bias, biasOff, init);
        c12 = start(c, cOff, ldc, 1, 2, validRows, bias, biasOff, init);
        c20 = start(c, cOff, ldc, 2, 0, validRows, bias, biasOff, init);
        c21 = start(c, cOff, ldc, 2, 1, validRows, bias, biasOff, init);
        c22 = start(c, cOff, ldc, 2, 2, validRows, bias, biasOff, init);
        c30 = start(c, cOff, ldc, 3, 0, validRows, bias, biasOff, init);
        c31 = start(c, cOff, ldc, 3, 1, validRows, bias, biasOff, init);
        c32 = start(c, cOff, ldc, 3, 2, validRows, bias, biasOff, init);
        c40 = start(c, cOff, ldc, 4, 0, validRows, bias, biasOff, init);
        c41 = start(c, cOff, ldc, 4, 1, validRows, bias, biasOff, init);
        c42 = start(c, cOff, ldc, 4, 2, validRows, bias, biasOff, init);
        c50 = start(c, cOff, ldc, 5, 0, validRows, bias, biasOff, init);
        c51 = start(c, cOff, ldc, 5, 1, validRows, bias, biasOff, init);
        c52 = start(c, cOff, ldc, 5, 2, validRows, bias, biasOff, init);
        c60 = start(c, cOff, ldc, 6, 0, validRows, bias, biasOff, init);
        c61 = start(c, cOff, ldc, 6, 1, validRows, bias, biasOff, init);
        c62 = start(c, cOff, ldc, 6, 2, validRows, bias, biasOff, init);
        c70 = start(c, cOff, ldc, 7, 0, validRows, bias, biasOff, init);
        c71 = start(c, cOff, ldc, 7, 1, validRows, bias, biasOff, init);
        c72 = start(c, cOff, ldc, 7, 2, validRows, bias, biasOff, init);
        int w = 3 * L;
        for (int k = 0; k < kc; k++) {
            int bk = bOff + k * w;
            FloatVector b0 = FloatVector.fromArray(S, b, bk);
            FloatVector b1 = FloatVector.fromArray(S, b, bk + L);
            FloatVector b2 = FloatVector.fromArray(S, b, bk + 2 * L);
            int ak = aOff + k * ROWS;
            FloatVector a0 = FloatVector.broadcast(S, a[ak]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            c02 = a0.fma(b2, c02);
            FloatVector a1 = FloatVector.broadcast(S, a[ak + 1]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            c12 = a1.fma(b2, c12);
            FloatVector a2 = FloatVector.broadcast(S, a[ak + 2]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            c22 = a2.fma(b2, c22);
            FloatVector a3 = FloatVector.broadcast(S, a[ak + 3]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
            c32 = a3.fma(b2, c32);
            FloatVector a4 = FloatVector.broadcast(S, a[ak + 4]);
            c40 = a4.fma(b0, c40);
            c41 = a4.fma(b1, c41);
            c42 = a4.fma(b2, c42);
            FloatVector a5 = FloatVector.broadcast(S, a[ak + 5]);
            c50 = a5.fma(b0, c50);
            c51 = a5.fma(b1, c51);
            c52 = a5.fma(b2, c52);
            FloatVector a6 = FloatVector.broadcast(S, a[ak + 6]);
            c60 = a6.fma(b0, c60);
            c61 = a6.fma(b1, c61);
            c62 = a6.fma(b2, c62);
            FloatVector a7 = FloatVector.broadcast(S, a[ak + 7]);
            c70 = a7.fma(b0, c70);
            c71 = a7.fma(b1, c71);
            c72 = a7.fma(b2, c72);
        }
        store(c, cOff, ldc, 0, validRows, c00, c01, c02);
        store(c, cOff, ldc, 1, validRows, c10, c11, c12);
        store(c, cOff, ldc, 2, validRows, c20, c21, c22);
        store(c, cOff, ldc, 3, validRows, c30, c31, c32);
        store(c, cOff, ldc, 4, validRows, c40, c41, c42);
        store(c, cOff, ldc, 5, validRows, c50, c51, c52);
        store(c, cOff, ldc, 6, validRows, c60, c61, c62);
        store(c, cOff, ldc, 7, validRows, c70, c71, c72);
    }

    private static FloatVector start(float[] c, int cOff, int ldc, int r, int v, int validRows, float[] bias,
                                     int biasOff, boolean init) {
        if (r >= validRows) return FloatVector.zero(S);
        if (init) return FloatVector.broadcast(S, bias == null ? 0f : bias[biasOff + r]);
        return FloatVector.fromArray(S, c, cOff + r * ldc + v * L);
    }

    private static void store(float[] c, int cOff, int ldc, int r, int validRows, FloatVector v0, FloatVector v1,
                              FloatVector v2) {
        if (r >= validRows) return;
        int row = cOff + r * ldc;
        v0.intoArray(c, row);
        v1.intoArray(c, row + L);
        v2.intoArray(c, row + 2 * L);
    }
}
