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

    @Override public void tile4x6(float[] w, int wOff, float[] in, int[] kOff, int depth, int[] pos, int posOff,
                               float[] bias, int biasOff, float[] out, int outOff) {
        int L = S.length();
        int p0 = pos[posOff + 0];
        int p1 = pos[posOff + 1];
        int p2 = pos[posOff + 2];
        int p3 = pos[posOff + 3];
        int p4 = pos[posOff + 4];
        int p5 = pos[posOff + 5];
        FloatVector b0 = FloatVector.fromArray(S, bias, biasOff + 0 * L);
        FloatVector b1 = FloatVector.fromArray(S, bias, biasOff + 1 * L);
        FloatVector b2 = FloatVector.fromArray(S, bias, biasOff + 2 * L);
        FloatVector b3 = FloatVector.fromArray(S, bias, biasOff + 3 * L);
        FloatVector c00 = b0; FloatVector c01 = b1; FloatVector c02 = b2; FloatVector c03 = b3;
        FloatVector c10 = b0; FloatVector c11 = b1; FloatVector c12 = b2; FloatVector c13 = b3;
        FloatVector c20 = b0; FloatVector c21 = b1; FloatVector c22 = b2; FloatVector c23 = b3;
        FloatVector c30 = b0; FloatVector c31 = b1; FloatVector c32 = b2; FloatVector c33 = b3;
        FloatVector c40 = b0; FloatVector c41 = b1; FloatVector c42 = b2; FloatVector c43 = b3;
        FloatVector c50 = b0; FloatVector c51 = b1; FloatVector c52 = b2; FloatVector c53 = b3;
        for (int k = 0; k < depth; k++) {
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
        c00.intoArray(out, outOff + 0 * L + 0 * L);
        c01.intoArray(out, outOff + 0 * L + 1 * L);
        c02.intoArray(out, outOff + 0 * L + 2 * L);
        c03.intoArray(out, outOff + 0 * L + 3 * L);
        c10.intoArray(out, outOff + 4 * L + 0 * L);
        c11.intoArray(out, outOff + 4 * L + 1 * L);
        c12.intoArray(out, outOff + 4 * L + 2 * L);
        c13.intoArray(out, outOff + 4 * L + 3 * L);
        c20.intoArray(out, outOff + 8 * L + 0 * L);
        c21.intoArray(out, outOff + 8 * L + 1 * L);
        c22.intoArray(out, outOff + 8 * L + 2 * L);
        c23.intoArray(out, outOff + 8 * L + 3 * L);
        c30.intoArray(out, outOff + 12 * L + 0 * L);
        c31.intoArray(out, outOff + 12 * L + 1 * L);
        c32.intoArray(out, outOff + 12 * L + 2 * L);
        c33.intoArray(out, outOff + 12 * L + 3 * L);
        c40.intoArray(out, outOff + 16 * L + 0 * L);
        c41.intoArray(out, outOff + 16 * L + 1 * L);
        c42.intoArray(out, outOff + 16 * L + 2 * L);
        c43.intoArray(out, outOff + 16 * L + 3 * L);
        c50.intoArray(out, outOff + 20 * L + 0 * L);
        c51.intoArray(out, outOff + 20 * L + 1 * L);
        c52.intoArray(out, outOff + 20 * L + 2 * L);
        c53.intoArray(out, outOff + 20 * L + 3 * L);
    }

    @Override public void tile2x12(float[] w, int wOff, float[] in, int[] kOff, int depth, int[] pos, int posOff,
                               float[] bias, int biasOff, float[] out, int outOff) {
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
        FloatVector b0 = FloatVector.fromArray(S, bias, biasOff + 0 * L);
        FloatVector b1 = FloatVector.fromArray(S, bias, biasOff + 1 * L);
        FloatVector c00 = b0; FloatVector c01 = b1;
        FloatVector c10 = b0; FloatVector c11 = b1;
        FloatVector c20 = b0; FloatVector c21 = b1;
        FloatVector c30 = b0; FloatVector c31 = b1;
        FloatVector c40 = b0; FloatVector c41 = b1;
        FloatVector c50 = b0; FloatVector c51 = b1;
        FloatVector c60 = b0; FloatVector c61 = b1;
        FloatVector c70 = b0; FloatVector c71 = b1;
        FloatVector c80 = b0; FloatVector c81 = b1;
        FloatVector c90 = b0; FloatVector c91 = b1;
        FloatVector c100 = b0; FloatVector c101 = b1;
        FloatVector c110 = b0; FloatVector c111 = b1;
        for (int k = 0; k < depth; k++) {
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
        c00.intoArray(out, outOff + 0 * L + 0 * L);
        c01.intoArray(out, outOff + 0 * L + 1 * L);
        c10.intoArray(out, outOff + 2 * L + 0 * L);
        c11.intoArray(out, outOff + 2 * L + 1 * L);
        c20.intoArray(out, outOff + 4 * L + 0 * L);
        c21.intoArray(out, outOff + 4 * L + 1 * L);
        c30.intoArray(out, outOff + 6 * L + 0 * L);
        c31.intoArray(out, outOff + 6 * L + 1 * L);
        c40.intoArray(out, outOff + 8 * L + 0 * L);
        c41.intoArray(out, outOff + 8 * L + 1 * L);
        c50.intoArray(out, outOff + 10 * L + 0 * L);
        c51.intoArray(out, outOff + 10 * L + 1 * L);
        c60.intoArray(out, outOff + 12 * L + 0 * L);
        c61.intoArray(out, outOff + 12 * L + 1 * L);
        c70.intoArray(out, outOff + 14 * L + 0 * L);
        c71.intoArray(out, outOff + 14 * L + 1 * L);
        c80.intoArray(out, outOff + 16 * L + 0 * L);
        c81.intoArray(out, outOff + 16 * L + 1 * L);
        c90.intoArray(out, outOff + 18 * L + 0 * L);
        c91.intoArray(out, outOff + 18 * L + 1 * L);
        c100.intoArray(out, outOff + 20 * L + 0 * L);
        c101.intoArray(out, outOff + 20 * L + 1 * L);
        c110.intoArray(out, outOff + 22 * L + 0 * L);
        c111.intoArray(out, outOff + 22 * L + 1 * L);
    }
}
