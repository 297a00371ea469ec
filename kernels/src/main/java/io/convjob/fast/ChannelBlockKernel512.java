package io.convjob.fast;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link ChannelBlockKernel} at 512 bits. The other sizes are generated from this file at build time (see
 * {@link DirectKernel512}): edit this one. Straight-line code, every accumulator a local: C2 keeps them all in
 * registers (24 of the 32 at AVX-512).
 */
final class ChannelBlockKernel512 implements ChannelBlockKernel {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_512;

    @Override public int lanes() { return S.length(); }

    @Override public void tile4x6(float[] w, int wOff, float[] in, int[] kOff, int kFrom, int kTo, int[] pos,
                               int posOff, float[] acc, int accOff) {
        int L = S.length();
        int p0 = pos[posOff + 0];
        int p1 = pos[posOff + 1];
        int p2 = pos[posOff + 2];
        int p3 = pos[posOff + 3];
        int p4 = pos[posOff + 4];
        int p5 = pos[posOff + 5];
        FloatVector c00 = FloatVector.fromArray(S, acc, accOff + 0 * L);
        FloatVector c01 = FloatVector.fromArray(S, acc, accOff + 1 * L);
        FloatVector c02 = FloatVector.fromArray(S, acc, accOff + 2 * L);
        FloatVector c03 = FloatVector.fromArray(S, acc, accOff + 3 * L);
        FloatVector c10 = FloatVector.fromArray(S, acc, accOff + 4 * L);
        FloatVector c11 = FloatVector.fromArray(S, acc, accOff + 5 * L);
        FloatVector c12 = FloatVector.fromArray(S, acc, accOff + 6 * L);
        FloatVector c13 = FloatVector.fromArray(S, acc, accOff + 7 * L);
        FloatVector c20 = FloatVector.fromArray(S, acc, accOff + 8 * L);
        FloatVector c21 = FloatVector.fromArray(S, acc, accOff + 9 * L);
        FloatVector c22 = FloatVector.fromArray(S, acc, accOff + 10 * L);
        FloatVector c23 = FloatVector.fromArray(S, acc, accOff + 11 * L);
        FloatVector c30 = FloatVector.fromArray(S, acc, accOff + 12 * L);
        FloatVector c31 = FloatVector.fromArray(S, acc, accOff + 13 * L);
        FloatVector c32 = FloatVector.fromArray(S, acc, accOff + 14 * L);
        FloatVector c33 = FloatVector.fromArray(S, acc, accOff + 15 * L);
        FloatVector c40 = FloatVector.fromArray(S, acc, accOff + 16 * L);
        FloatVector c41 = FloatVector.fromArray(S, acc, accOff + 17 * L);
        FloatVector c42 = FloatVector.fromArray(S, acc, accOff + 18 * L);
        FloatVector c43 = FloatVector.fromArray(S, acc, accOff + 19 * L);
        FloatVector c50 = FloatVector.fromArray(S, acc, accOff + 20 * L);
        FloatVector c51 = FloatVector.fromArray(S, acc, accOff + 21 * L);
        FloatVector c52 = FloatVector.fromArray(S, acc, accOff + 22 * L);
        FloatVector c53 = FloatVector.fromArray(S, acc, accOff + 23 * L);
        for (int k = kFrom; k < kTo; k++) {
            int wk = wOff + k * 4 * L;
            FloatVector w0 = FloatVector.fromArray(S, w, wk + 0 * L);
            FloatVector w1 = FloatVector.fromArray(S, w, wk + 1 * L);
            FloatVector w2 = FloatVector.fromArray(S, w, wk + 2 * L);
            FloatVector w3 = FloatVector.fromArray(S, w, wk + 3 * L);
            int bk = kOff[k];
            FloatVector x0 = FloatVector.broadcast(S, in[bk + p0]);
            c00 = w0.fma(x0, c00); c01 = w1.fma(x0, c01); c02 = w2.fma(x0, c02); c03 = w3.fma(x0, c03);
            FloatVector x1 = FloatVector.broadcast(S, in[bk + p1]);
            c10 = w0.fma(x1, c10); c11 = w1.fma(x1, c11); c12 = w2.fma(x1, c12); c13 = w3.fma(x1, c13);
            FloatVector x2 = FloatVector.broadcast(S, in[bk + p2]);
            c20 = w0.fma(x2, c20); c21 = w1.fma(x2, c21); c22 = w2.fma(x2, c22); c23 = w3.fma(x2, c23);
            FloatVector x3 = FloatVector.broadcast(S, in[bk + p3]);
            c30 = w0.fma(x3, c30); c31 = w1.fma(x3, c31); c32 = w2.fma(x3, c32); c33 = w3.fma(x3, c33);
            FloatVector x4 = FloatVector.broadcast(S, in[bk + p4]);
            c40 = w0.fma(x4, c40); c41 = w1.fma(x4, c41); c42 = w2.fma(x4, c42); c43 = w3.fma(x4, c43);
            FloatVector x5 = FloatVector.broadcast(S, in[bk + p5]);
            c50 = w0.fma(x5, c50); c51 = w1.fma(x5, c51); c52 = w2.fma(x5, c52); c53 = w3.fma(x5, c53);
        }
        c00.intoArray(acc, accOff + 0 * L);
        c01.intoArray(acc, accOff + 1 * L);
        c02.intoArray(acc, accOff + 2 * L);
        c03.intoArray(acc, accOff + 3 * L);
        c10.intoArray(acc, accOff + 4 * L);
        c11.intoArray(acc, accOff + 5 * L);
        c12.intoArray(acc, accOff + 6 * L);
        c13.intoArray(acc, accOff + 7 * L);
        c20.intoArray(acc, accOff + 8 * L);
        c21.intoArray(acc, accOff + 9 * L);
        c22.intoArray(acc, accOff + 10 * L);
        c23.intoArray(acc, accOff + 11 * L);
        c30.intoArray(acc, accOff + 12 * L);
        c31.intoArray(acc, accOff + 13 * L);
        c32.intoArray(acc, accOff + 14 * L);
        c33.intoArray(acc, accOff + 15 * L);
        c40.intoArray(acc, accOff + 16 * L);
        c41.intoArray(acc, accOff + 17 * L);
        c42.intoArray(acc, accOff + 18 * L);
        c43.intoArray(acc, accOff + 19 * L);
        c50.intoArray(acc, accOff + 20 * L);
        c51.intoArray(acc, accOff + 21 * L);
        c52.intoArray(acc, accOff + 22 * L);
        c53.intoArray(acc, accOff + 23 * L);
    }

    @Override public void tile2x12(float[] w, int wOff, float[] in, int[] kOff, int kFrom, int kTo, int[] pos,
                               int posOff, float[] acc, int accOff) {
        int L = S.length();
        int p0 = pos[posOff + 0];
        int p1 = pos[posOff + 1];
        int p2 = pos[posOff + 2];
        int p3 = pos[posOff + 3];
        int p4 = pos[posOff + 4];
        int p5 = pos[posOff + 5];
        int p6 = pos[posOff + 6];
        int p7 = pos[posOff + 7];
        int p8 = pos[posOff + 8];
        int p9 = pos[posOff + 9];
        int p10 = pos[posOff + 10];
        int p11 = pos[posOff + 11];
        FloatVector c00 = FloatVector.fromArray(S, acc, accOff + 0 * L);
        FloatVector c01 = FloatVector.fromArray(S, acc, accOff + 1 * L);
        FloatVector c10 = FloatVector.fromArray(S, acc, accOff + 2 * L);
        FloatVector c11 = FloatVector.fromArray(S, acc, accOff + 3 * L);
        FloatVector c20 = FloatVector.fromArray(S, acc, accOff + 4 * L);
        FloatVector c21 = FloatVector.fromArray(S, acc, accOff + 5 * L);
        FloatVector c30 = FloatVector.fromArray(S, acc, accOff + 6 * L);
        FloatVector c31 = FloatVector.fromArray(S, acc, accOff + 7 * L);
        FloatVector c40 = FloatVector.fromArray(S, acc, accOff + 8 * L);
        FloatVector c41 = FloatVector.fromArray(S, acc, accOff + 9 * L);
        FloatVector c50 = FloatVector.fromArray(S, acc, accOff + 10 * L);
        FloatVector c51 = FloatVector.fromArray(S, acc, accOff + 11 * L);
        FloatVector c60 = FloatVector.fromArray(S, acc, accOff + 12 * L);
        FloatVector c61 = FloatVector.fromArray(S, acc, accOff + 13 * L);
        FloatVector c70 = FloatVector.fromArray(S, acc, accOff + 14 * L);
        FloatVector c71 = FloatVector.fromArray(S, acc, accOff + 15 * L);
        FloatVector c80 = FloatVector.fromArray(S, acc, accOff + 16 * L);
        FloatVector c81 = FloatVector.fromArray(S, acc, accOff + 17 * L);
        FloatVector c90 = FloatVector.fromArray(S, acc, accOff + 18 * L);
        FloatVector c91 = FloatVector.fromArray(S, acc, accOff + 19 * L);
        FloatVector c100 = FloatVector.fromArray(S, acc, accOff + 20 * L);
        FloatVector c101 = FloatVector.fromArray(S, acc, accOff + 21 * L);
        FloatVector c110 = FloatVector.fromArray(S, acc, accOff + 22 * L);
        FloatVector c111 = FloatVector.fromArray(S, acc, accOff + 23 * L);
        for (int k = kFrom; k < kTo; k++) {
            int wk = wOff + k * 2 * L;
            FloatVector w0 = FloatVector.fromArray(S, w, wk + 0 * L);
            FloatVector w1 = FloatVector.fromArray(S, w, wk + 1 * L);
            int bk = kOff[k];
            FloatVector x0 = FloatVector.broadcast(S, in[bk + p0]);
            c00 = w0.fma(x0, c00); c01 = w1.fma(x0, c01);
            FloatVector x1 = FloatVector.broadcast(S, in[bk + p1]);
            c10 = w0.fma(x1, c10); c11 = w1.fma(x1, c11);
            FloatVector x2 = FloatVector.broadcast(S, in[bk + p2]);
            c20 = w0.fma(x2, c20); c21 = w1.fma(x2, c21);
            FloatVector x3 = FloatVector.broadcast(S, in[bk + p3]);
            c30 = w0.fma(x3, c30); c31 = w1.fma(x3, c31);
            FloatVector x4 = FloatVector.broadcast(S, in[bk + p4]);
            c40 = w0.fma(x4, c40); c41 = w1.fma(x4, c41);
            FloatVector x5 = FloatVector.broadcast(S, in[bk + p5]);
            c50 = w0.fma(x5, c50); c51 = w1.fma(x5, c51);
            FloatVector x6 = FloatVector.broadcast(S, in[bk + p6]);
            c60 = w0.fma(x6, c60); c61 = w1.fma(x6, c61);
            FloatVector x7 = FloatVector.broadcast(S, in[bk + p7]);
            c70 = w0.fma(x7, c70); c71 = w1.fma(x7, c71);
            FloatVector x8 = FloatVector.broadcast(S, in[bk + p8]);
            c80 = w0.fma(x8, c80); c81 = w1.fma(x8, c81);
            FloatVector x9 = FloatVector.broadcast(S, in[bk + p9]);
            c90 = w0.fma(x9, c90); c91 = w1.fma(x9, c91);
            FloatVector x10 = FloatVector.broadcast(S, in[bk + p10]);
            c100 = w0.fma(x10, c100); c101 = w1.fma(x10, c101);
            FloatVector x11 = FloatVector.broadcast(S, in[bk + p11]);
            c110 = w0.fma(x11, c110); c111 = w1.fma(x11, c111);
        }
        c00.intoArray(acc, accOff + 0 * L);
        c01.intoArray(acc, accOff + 1 * L);
        c10.intoArray(acc, accOff + 2 * L);
        c11.intoArray(acc, accOff + 3 * L);
        c20.intoArray(acc, accOff + 4 * L);
        c21.intoArray(acc, accOff + 5 * L);
        c30.intoArray(acc, accOff + 6 * L);
        c31.intoArray(acc, accOff + 7 * L);
        c40.intoArray(acc, accOff + 8 * L);
        c41.intoArray(acc, accOff + 9 * L);
        c50.intoArray(acc, accOff + 10 * L);
        c51.intoArray(acc, accOff + 11 * L);
        c60.intoArray(acc, accOff + 12 * L);
        c61.intoArray(acc, accOff + 13 * L);
        c70.intoArray(acc, accOff + 14 * L);
        c71.intoArray(acc, accOff + 15 * L);
        c80.intoArray(acc, accOff + 16 * L);
        c81.intoArray(acc, accOff + 17 * L);
        c90.intoArray(acc, accOff + 18 * L);
        c91.intoArray(acc, accOff + 19 * L);
        c100.intoArray(acc, accOff + 20 * L);
        c101.intoArray(acc, accOff + 21 * L);
        c110.intoArray(acc, accOff + 22 * L);
        c111.intoArray(acc, accOff + 23 * L);
    }
}
