package io.convjob.fast;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link ChannelBlockKernel} at 512 bits. The other sizes are generated from this file at build time (see
 * {@link DirectKernel512}): edit this one. Straight-line code, every accumulator a local: C2 keeps them all in
 * registers (24 of the 32 at AVX-512). Each position's input is read at {@code base + ci}: consecutive
 * floats from step to step, with no offset table and no bounds checks left in the loop; it takes both (measured in
 * L1: 1.15-1.24x the old kOff-table kernel over a channel-outer input; a new cache line every step without the table,
 * or the table over this input, gained nothing). One loop per call: accumulators carried across a nested loop were
 * boxed on the heap by C2 (JDK 17), 40x slower.
 */
final class ChannelBlockKernel512 implements ChannelBlockKernel {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_512;

    @Override public int lanes() { return S.length(); }

    @Override public void tile4x6(float[] w, int wOff, float[] in, int inOff, int cFrom, int cTo, int[] pos,
                               int posOff, float[] acc, int accOff) {
        int L = S.length();
        int b0 = inOff + pos[posOff + 0];
        int b1 = inOff + pos[posOff + 1];
        int b2 = inOff + pos[posOff + 2];
        int b3 = inOff + pos[posOff + 3];
        int b4 = inOff + pos[posOff + 4];
        int b5 = inOff + pos[posOff + 5];
        FloatVector c0_0 = FloatVector.fromArray(S, acc, accOff + 0 * L);
        FloatVector c0_1 = FloatVector.fromArray(S, acc, accOff + 1 * L);
        FloatVector c0_2 = FloatVector.fromArray(S, acc, accOff + 2 * L);
        FloatVector c0_3 = FloatVector.fromArray(S, acc, accOff + 3 * L);
        FloatVector c1_0 = FloatVector.fromArray(S, acc, accOff + 4 * L);
        FloatVector c1_1 = FloatVector.fromArray(S, acc, accOff + 5 * L);
        FloatVector c1_2 = FloatVector.fromArray(S, acc, accOff + 6 * L);
        FloatVector c1_3 = FloatVector.fromArray(S, acc, accOff + 7 * L);
        FloatVector c2_0 = FloatVector.fromArray(S, acc, accOff + 8 * L);
        FloatVector c2_1 = FloatVector.fromArray(S, acc, accOff + 9 * L);
        FloatVector c2_2 = FloatVector.fromArray(S, acc, accOff + 10 * L);
        FloatVector c2_3 = FloatVector.fromArray(S, acc, accOff + 11 * L);
        FloatVector c3_0 = FloatVector.fromArray(S, acc, accOff + 12 * L);
        FloatVector c3_1 = FloatVector.fromArray(S, acc, accOff + 13 * L);
        FloatVector c3_2 = FloatVector.fromArray(S, acc, accOff + 14 * L);
        FloatVector c3_3 = FloatVector.fromArray(S, acc, accOff + 15 * L);
        FloatVector c4_0 = FloatVector.fromArray(S, acc, accOff + 16 * L);
        FloatVector c4_1 = FloatVector.fromArray(S, acc, accOff + 17 * L);
        FloatVector c4_2 = FloatVector.fromArray(S, acc, accOff + 18 * L);
        FloatVector c4_3 = FloatVector.fromArray(S, acc, accOff + 19 * L);
        FloatVector c5_0 = FloatVector.fromArray(S, acc, accOff + 20 * L);
        FloatVector c5_1 = FloatVector.fromArray(S, acc, accOff + 21 * L);
        FloatVector c5_2 = FloatVector.fromArray(S, acc, accOff + 22 * L);
        FloatVector c5_3 = FloatVector.fromArray(S, acc, accOff + 23 * L);
        for (int ci = cFrom; ci < cTo; ci++) {
            int wk = wOff + ci * 4 * L;
            FloatVector w0 = FloatVector.fromArray(S, w, wk + 0 * L);
            FloatVector w1 = FloatVector.fromArray(S, w, wk + 1 * L);
            FloatVector w2 = FloatVector.fromArray(S, w, wk + 2 * L);
            FloatVector w3 = FloatVector.fromArray(S, w, wk + 3 * L);
            FloatVector x0 = FloatVector.broadcast(S, in[b0 + ci]);
            c0_0 = w0.fma(x0, c0_0); c0_1 = w1.fma(x0, c0_1); c0_2 = w2.fma(x0, c0_2); c0_3 = w3.fma(x0, c0_3);
            FloatVector x1 = FloatVector.broadcast(S, in[b1 + ci]);
            c1_0 = w0.fma(x1, c1_0); c1_1 = w1.fma(x1, c1_1); c1_2 = w2.fma(x1, c1_2); c1_3 = w3.fma(x1, c1_3);
            FloatVector x2 = FloatVector.broadcast(S, in[b2 + ci]);
            c2_0 = w0.fma(x2, c2_0); c2_1 = w1.fma(x2, c2_1); c2_2 = w2.fma(x2, c2_2); c2_3 = w3.fma(x2, c2_3);
            FloatVector x3 = FloatVector.broadcast(S, in[b3 + ci]);
            c3_0 = w0.fma(x3, c3_0); c3_1 = w1.fma(x3, c3_1); c3_2 = w2.fma(x3, c3_2); c3_3 = w3.fma(x3, c3_3);
            FloatVector x4 = FloatVector.broadcast(S, in[b4 + ci]);
            c4_0 = w0.fma(x4, c4_0); c4_1 = w1.fma(x4, c4_1); c4_2 = w2.fma(x4, c4_2); c4_3 = w3.fma(x4, c4_3);
            FloatVector x5 = FloatVector.broadcast(S, in[b5 + ci]);
            c5_0 = w0.fma(x5, c5_0); c5_1 = w1.fma(x5, c5_1); c5_2 = w2.fma(x5, c5_2); c5_3 = w3.fma(x5, c5_3);
        }
        c0_0.intoArray(acc, accOff + 0 * L);
        c0_1.intoArray(acc, accOff + 1 * L);
        c0_2.intoArray(acc, accOff + 2 * L);
        c0_3.intoArray(acc, accOff + 3 * L);
        c1_0.intoArray(acc, accOff + 4 * L);
        c1_1.intoArray(acc, accOff + 5 * L);
        c1_2.intoArray(acc, accOff + 6 * L);
        c1_3.intoArray(acc, accOff + 7 * L);
        c2_0.intoArray(acc, accOff + 8 * L);
        c2_1.intoArray(acc, accOff + 9 * L);
        c2_2.intoArray(acc, accOff + 10 * L);
        c2_3.intoArray(acc, accOff + 11 * L);
        c3_0.intoArray(acc, accOff + 12 * L);
        c3_1.intoArray(acc, accOff + 13 * L);
        c3_2.intoArray(acc, accOff + 14 * L);
        c3_3.intoArray(acc, accOff + 15 * L);
        c4_0.intoArray(acc, accOff + 16 * L);
        c4_1.intoArray(acc, accOff + 17 * L);
        c4_2.intoArray(acc, accOff + 18 * L);
        c4_3.intoArray(acc, accOff + 19 * L);
        c5_0.intoArray(acc, accOff + 20 * L);
        c5_1.intoArray(acc, accOff + 21 * L);
        c5_2.intoArray(acc, accOff + 22 * L);
        c5_3.intoArray(acc, accOff + 23 * L);
    }

    @Override public void tile2x6(float[] w, int wOff, float[] in, int inOff, int cFrom, int cTo, int[] pos,
                               int posOff, float[] acc, int accOff) {
        int L = S.length();
        int b0 = inOff + pos[posOff + 0];
        int b1 = inOff + pos[posOff + 1];
        int b2 = inOff + pos[posOff + 2];
        int b3 = inOff + pos[posOff + 3];
        int b4 = inOff + pos[posOff + 4];
        int b5 = inOff + pos[posOff + 5];
        FloatVector c0_0 = FloatVector.fromArray(S, acc, accOff + 0 * L);
        FloatVector c0_1 = FloatVector.fromArray(S, acc, accOff + 1 * L);
        FloatVector c1_0 = FloatVector.fromArray(S, acc, accOff + 2 * L);
        FloatVector c1_1 = FloatVector.fromArray(S, acc, accOff + 3 * L);
        FloatVector c2_0 = FloatVector.fromArray(S, acc, accOff + 4 * L);
        FloatVector c2_1 = FloatVector.fromArray(S, acc, accOff + 5 * L);
        FloatVector c3_0 = FloatVector.fromArray(S, acc, accOff + 6 * L);
        FloatVector c3_1 = FloatVector.fromArray(S, acc, accOff + 7 * L);
        FloatVector c4_0 = FloatVector.fromArray(S, acc, accOff + 8 * L);
        FloatVector c4_1 = FloatVector.fromArray(S, acc, accOff + 9 * L);
        FloatVector c5_0 = FloatVector.fromArray(S, acc, accOff + 10 * L);
        FloatVector c5_1 = FloatVector.fromArray(S, acc, accOff + 11 * L);
        for (int ci = cFrom; ci < cTo; ci++) {
            int wk = wOff + ci * 2 * L;
            FloatVector w0 = FloatVector.fromArray(S, w, wk + 0 * L);
            FloatVector w1 = FloatVector.fromArray(S, w, wk + 1 * L);
            FloatVector x0 = FloatVector.broadcast(S, in[b0 + ci]);
            c0_0 = w0.fma(x0, c0_0); c0_1 = w1.fma(x0, c0_1);
            FloatVector x1 = FloatVector.broadcast(S, in[b1 + ci]);
            c1_0 = w0.fma(x1, c1_0); c1_1 = w1.fma(x1, c1_1);
            FloatVector x2 = FloatVector.broadcast(S, in[b2 + ci]);
            c2_0 = w0.fma(x2, c2_0); c2_1 = w1.fma(x2, c2_1);
            FloatVector x3 = FloatVector.broadcast(S, in[b3 + ci]);
            c3_0 = w0.fma(x3, c3_0); c3_1 = w1.fma(x3, c3_1);
            FloatVector x4 = FloatVector.broadcast(S, in[b4 + ci]);
            c4_0 = w0.fma(x4, c4_0); c4_1 = w1.fma(x4, c4_1);
            FloatVector x5 = FloatVector.broadcast(S, in[b5 + ci]);
            c5_0 = w0.fma(x5, c5_0); c5_1 = w1.fma(x5, c5_1);
        }
        c0_0.intoArray(acc, accOff + 0 * L);
        c0_1.intoArray(acc, accOff + 1 * L);
        c1_0.intoArray(acc, accOff + 2 * L);
        c1_1.intoArray(acc, accOff + 3 * L);
        c2_0.intoArray(acc, accOff + 4 * L);
        c2_1.intoArray(acc, accOff + 5 * L);
        c3_0.intoArray(acc, accOff + 6 * L);
        c3_1.intoArray(acc, accOff + 7 * L);
        c4_0.intoArray(acc, accOff + 8 * L);
        c4_1.intoArray(acc, accOff + 9 * L);
        c5_0.intoArray(acc, accOff + 10 * L);
        c5_1.intoArray(acc, accOff + 11 * L);
    }

    @Override public void tile2x12(float[] w, int wOff, float[] in, int inOff, int cFrom, int cTo, int[] pos,
                               int posOff, float[] acc, int accOff) {
        int L = S.length();
        int b0 = inOff + pos[posOff + 0];
        int b1 = inOff + pos[posOff + 1];
        int b2 = inOff + pos[posOff + 2];
        int b3 = inOff + pos[posOff + 3];
        int b4 = inOff + pos[posOff + 4];
        int b5 = inOff + pos[posOff + 5];
        int b6 = inOff + pos[posOff + 6];
        int b7 = inOff + pos[posOff + 7];
        int b8 = inOff + pos[posOff + 8];
        int b9 = inOff + pos[posOff + 9];
        int b10 = inOff + pos[posOff + 10];
        int b11 = inOff + pos[posOff + 11];
        FloatVector c0_0 = FloatVector.fromArray(S, acc, accOff + 0 * L);
        FloatVector c0_1 = FloatVector.fromArray(S, acc, accOff + 1 * L);
        FloatVector c1_0 = FloatVector.fromArray(S, acc, accOff + 2 * L);
        FloatVector c1_1 = FloatVector.fromArray(S, acc, accOff + 3 * L);
        FloatVector c2_0 = FloatVector.fromArray(S, acc, accOff + 4 * L);
        FloatVector c2_1 = FloatVector.fromArray(S, acc, accOff + 5 * L);
        FloatVector c3_0 = FloatVector.fromArray(S, acc, accOff + 6 * L);
        FloatVector c3_1 = FloatVector.fromArray(S, acc, accOff + 7 * L);
        FloatVector c4_0 = FloatVector.fromArray(S, acc, accOff + 8 * L);
        FloatVector c4_1 = FloatVector.fromArray(S, acc, accOff + 9 * L);
        FloatVector c5_0 = FloatVector.fromArray(S, acc, accOff + 10 * L);
        FloatVector c5_1 = FloatVector.fromArray(S, acc, accOff + 11 * L);
        FloatVector c6_0 = FloatVector.fromArray(S, acc, accOff + 12 * L);
        FloatVector c6_1 = FloatVector.fromArray(S, acc, accOff + 13 * L);
        FloatVector c7_0 = FloatVector.fromArray(S, acc, accOff + 14 * L);
        FloatVector c7_1 = FloatVector.fromArray(S, acc, accOff + 15 * L);
        FloatVector c8_0 = FloatVector.fromArray(S, acc, accOff + 16 * L);
        FloatVector c8_1 = FloatVector.fromArray(S, acc, accOff + 17 * L);
        FloatVector c9_0 = FloatVector.fromArray(S, acc, accOff + 18 * L);
        FloatVector c9_1 = FloatVector.fromArray(S, acc, accOff + 19 * L);
        FloatVector c10_0 = FloatVector.fromArray(S, acc, accOff + 20 * L);
        FloatVector c10_1 = FloatVector.fromArray(S, acc, accOff + 21 * L);
        FloatVector c11_0 = FloatVector.fromArray(S, acc, accOff + 22 * L);
        FloatVector c11_1 = FloatVector.fromArray(S, acc, accOff + 23 * L);
        for (int ci = cFrom; ci < cTo; ci++) {
            int wk = wOff + ci * 2 * L;
            FloatVector w0 = FloatVector.fromArray(S, w, wk + 0 * L);
            FloatVector w1 = FloatVector.fromArray(S, w, wk + 1 * L);
            FloatVector x0 = FloatVector.broadcast(S, in[b0 + ci]);
            c0_0 = w0.fma(x0, c0_0); c0_1 = w1.fma(x0, c0_1);
            FloatVector x1 = FloatVector.broadcast(S, in[b1 + ci]);
            c1_0 = w0.fma(x1, c1_0); c1_1 = w1.fma(x1, c1_1);
            FloatVector x2 = FloatVector.broadcast(S, in[b2 + ci]);
            c2_0 = w0.fma(x2, c2_0); c2_1 = w1.fma(x2, c2_1);
            FloatVector x3 = FloatVector.broadcast(S, in[b3 + ci]);
            c3_0 = w0.fma(x3, c3_0); c3_1 = w1.fma(x3, c3_1);
            FloatVector x4 = FloatVector.broadcast(S, in[b4 + ci]);
            c4_0 = w0.fma(x4, c4_0); c4_1 = w1.fma(x4, c4_1);
            FloatVector x5 = FloatVector.broadcast(S, in[b5 + ci]);
            c5_0 = w0.fma(x5, c5_0); c5_1 = w1.fma(x5, c5_1);
            FloatVector x6 = FloatVector.broadcast(S, in[b6 + ci]);
            c6_0 = w0.fma(x6, c6_0); c6_1 = w1.fma(x6, c6_1);
            FloatVector x7 = FloatVector.broadcast(S, in[b7 + ci]);
            c7_0 = w0.fma(x7, c7_0); c7_1 = w1.fma(x7, c7_1);
            FloatVector x8 = FloatVector.broadcast(S, in[b8 + ci]);
            c8_0 = w0.fma(x8, c8_0); c8_1 = w1.fma(x8, c8_1);
            FloatVector x9 = FloatVector.broadcast(S, in[b9 + ci]);
            c9_0 = w0.fma(x9, c9_0); c9_1 = w1.fma(x9, c9_1);
            FloatVector x10 = FloatVector.broadcast(S, in[b10 + ci]);
            c10_0 = w0.fma(x10, c10_0); c10_1 = w1.fma(x10, c10_1);
            FloatVector x11 = FloatVector.broadcast(S, in[b11 + ci]);
            c11_0 = w0.fma(x11, c11_0); c11_1 = w1.fma(x11, c11_1);
        }
        c0_0.intoArray(acc, accOff + 0 * L);
        c0_1.intoArray(acc, accOff + 1 * L);
        c1_0.intoArray(acc, accOff + 2 * L);
        c1_1.intoArray(acc, accOff + 3 * L);
        c2_0.intoArray(acc, accOff + 4 * L);
        c2_1.intoArray(acc, accOff + 5 * L);
        c3_0.intoArray(acc, accOff + 6 * L);
        c3_1.intoArray(acc, accOff + 7 * L);
        c4_0.intoArray(acc, accOff + 8 * L);
        c4_1.intoArray(acc, accOff + 9 * L);
        c5_0.intoArray(acc, accOff + 10 * L);
        c5_1.intoArray(acc, accOff + 11 * L);
        c6_0.intoArray(acc, accOff + 12 * L);
        c6_1.intoArray(acc, accOff + 13 * L);
        c7_0.intoArray(acc, accOff + 14 * L);
        c7_1.intoArray(acc, accOff + 15 * L);
        c8_0.intoArray(acc, accOff + 16 * L);
        c8_1.intoArray(acc, accOff + 17 * L);
        c9_0.intoArray(acc, accOff + 18 * L);
        c9_1.intoArray(acc, accOff + 19 * L);
        c10_0.intoArray(acc, accOff + 20 * L);
        c10_1.intoArray(acc, accOff + 21 * L);
        c11_0.intoArray(acc, accOff + 22 * L);
        c11_1.intoArray(acc, accOff + 23 * L);
    }
}
