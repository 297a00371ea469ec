package io.convjob.fast;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link StridedRowKernel} at 512 bits. The other sizes are generated from this file at build time (see
 * {@link DirectKernel512}): edit this one. Straight-line code, every accumulator and weight vector a local (21 vector
 * registers). The 15 broadcasts of a step read {@code in[r + 0..14]}: C2 merges their range checks into two per step.
 */
final class StridedRowKernel512 implements StridedRowKernel {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_512;

    @Override public int lanes() { return S.length(); }

    @Override public void row2x7(float[] w, int wOff, float[] in, int inOff, int inStride, int steps, float[] acc,
                               int accOff) {
        int L = S.length();
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
        for (int s = 0; s < steps; s++) {
            int wk = wOff + s * 6 * L;
            int r = inOff + s * inStride;
            FloatVector w0_0 = FloatVector.fromArray(S, w, wk + 0 * L);
            FloatVector w0_1 = FloatVector.fromArray(S, w, wk + 1 * L);
            FloatVector w1_0 = FloatVector.fromArray(S, w, wk + 2 * L);
            FloatVector w1_1 = FloatVector.fromArray(S, w, wk + 3 * L);
            FloatVector w2_0 = FloatVector.fromArray(S, w, wk + 4 * L);
            FloatVector w2_1 = FloatVector.fromArray(S, w, wk + 5 * L);
            FloatVector x0 = FloatVector.broadcast(S, in[r + 0]);
            c0_0 = w0_0.fma(x0, c0_0); c0_1 = w0_1.fma(x0, c0_1);
            FloatVector x1 = FloatVector.broadcast(S, in[r + 1]);
            c0_0 = w1_0.fma(x1, c0_0); c0_1 = w1_1.fma(x1, c0_1);
            FloatVector x2 = FloatVector.broadcast(S, in[r + 2]);
            c0_0 = w2_0.fma(x2, c0_0); c0_1 = w2_1.fma(x2, c0_1); c1_0 = w0_0.fma(x2, c1_0); c1_1 = w0_1.fma(x2, c1_1);
            FloatVector x3 = FloatVector.broadcast(S, in[r + 3]);
            c1_0 = w1_0.fma(x3, c1_0); c1_1 = w1_1.fma(x3, c1_1);
            FloatVector x4 = FloatVector.broadcast(S, in[r + 4]);
            c1_0 = w2_0.fma(x4, c1_0); c1_1 = w2_1.fma(x4, c1_1); c2_0 = w0_0.fma(x4, c2_0); c2_1 = w0_1.fma(x4, c2_1);
            FloatVector x5 = FloatVector.broadcast(S, in[r + 5]);
            c2_0 = w1_0.fma(x5, c2_0); c2_1 = w1_1.fma(x5, c2_1);
            FloatVector x6 = FloatVector.broadcast(S, in[r + 6]);
            c2_0 = w2_0.fma(x6, c2_0); c2_1 = w2_1.fma(x6, c2_1); c3_0 = w0_0.fma(x6, c3_0); c3_1 = w0_1.fma(x6, c3_1);
            FloatVector x7 = FloatVector.broadcast(S, in[r + 7]);
            c3_0 = w1_0.fma(x7, c3_0); c3_1 = w1_1.fma(x7, c3_1);
            FloatVector x8 = FloatVector.broadcast(S, in[r + 8]);
            c3_0 = w2_0.fma(x8, c3_0); c3_1 = w2_1.fma(x8, c3_1); c4_0 = w0_0.fma(x8, c4_0); c4_1 = w0_1.fma(x8, c4_1);
            FloatVector x9 = FloatVector.broadcast(S, in[r + 9]);
            c4_0 = w1_0.fma(x9, c4_0); c4_1 = w1_1.fma(x9, c4_1);
            FloatVector x10 = FloatVector.broadcast(S, in[r + 10]);
            c4_0 = w2_0.fma(x10, c4_0); c4_1 = w2_1.fma(x10, c4_1); c5_0 = w0_0.fma(x10, c5_0); c5_1 = w0_1.fma(x10, c5_1);
            FloatVector x11 = FloatVector.broadcast(S, in[r + 11]);
            c5_0 = w1_0.fma(x11, c5_0); c5_1 = w1_1.fma(x11, c5_1);
            FloatVector x12 = FloatVector.broadcast(S, in[r + 12]);
            c5_0 = w2_0.fma(x12, c5_0); c5_1 = w2_1.fma(x12, c5_1); c6_0 = w0_0.fma(x12, c6_0); c6_1 = w0_1.fma(x12, c6_1);
            FloatVector x13 = FloatVector.broadcast(S, in[r + 13]);
            c6_0 = w1_0.fma(x13, c6_0); c6_1 = w1_1.fma(x13, c6_1);
            FloatVector x14 = FloatVector.broadcast(S, in[r + 14]);
            c6_0 = w2_0.fma(x14, c6_0); c6_1 = w2_1.fma(x14, c6_1);
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
    }

    @Override public void row2x7Left(float[] w, int wOff, float[] in, int inOff, int inStride, int steps, float[] acc,
                               int accOff) {
        int L = S.length();
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
        for (int s = 0; s < steps; s++) {
            int wk = wOff + s * 6 * L;
            int r = inOff + s * inStride;
            FloatVector w0_0 = FloatVector.fromArray(S, w, wk + 0 * L);
            FloatVector w0_1 = FloatVector.fromArray(S, w, wk + 1 * L);
            FloatVector w1_0 = FloatVector.fromArray(S, w, wk + 2 * L);
            FloatVector w1_1 = FloatVector.fromArray(S, w, wk + 3 * L);
            FloatVector w2_0 = FloatVector.fromArray(S, w, wk + 4 * L);
            FloatVector w2_1 = FloatVector.fromArray(S, w, wk + 5 * L);
            FloatVector x1 = FloatVector.broadcast(S, in[r + 1]);
            c0_0 = w1_0.fma(x1, c0_0); c0_1 = w1_1.fma(x1, c0_1);
            FloatVector x2 = FloatVector.broadcast(S, in[r + 2]);
            c0_0 = w2_0.fma(x2, c0_0); c0_1 = w2_1.fma(x2, c0_1); c1_0 = w0_0.fma(x2, c1_0); c1_1 = w0_1.fma(x2, c1_1);
            FloatVector x3 = FloatVector.broadcast(S, in[r + 3]);
            c1_0 = w1_0.fma(x3, c1_0); c1_1 = w1_1.fma(x3, c1_1);
            FloatVector x4 = FloatVector.broadcast(S, in[r + 4]);
            c1_0 = w2_0.fma(x4, c1_0); c1_1 = w2_1.fma(x4, c1_1); c2_0 = w0_0.fma(x4, c2_0); c2_1 = w0_1.fma(x4, c2_1);
            FloatVector x5 = FloatVector.broadcast(S, in[r + 5]);
            c2_0 = w1_0.fma(x5, c2_0); c2_1 = w1_1.fma(x5, c2_1);
            FloatVector x6 = FloatVector.broadcast(S, in[r + 6]);
            c2_0 = w2_0.fma(x6, c2_0); c2_1 = w2_1.fma(x6, c2_1); c3_0 = w0_0.fma(x6, c3_0); c3_1 = w0_1.fma(x6, c3_1);
            FloatVector x7 = FloatVector.broadcast(S, in[r + 7]);
            c3_0 = w1_0.fma(x7, c3_0); c3_1 = w1_1.fma(x7, c3_1);
            FloatVector x8 = FloatVector.broadcast(S, in[r + 8]);
            c3_0 = w2_0.fma(x8, c3_0); c3_1 = w2_1.fma(x8, c3_1); c4_0 = w0_0.fma(x8, c4_0); c4_1 = w0_1.fma(x8, c4_1);
            FloatVector x9 = FloatVector.broadcast(S, in[r + 9]);
            c4_0 = w1_0.fma(x9, c4_0); c4_1 = w1_1.fma(x9, c4_1);
            FloatVector x10 = FloatVector.broadcast(S, in[r + 10]);
            c4_0 = w2_0.fma(x10, c4_0); c4_1 = w2_1.fma(x10, c4_1); c5_0 = w0_0.fma(x10, c5_0); c5_1 = w0_1.fma(x10, c5_1);
            FloatVector x11 = FloatVector.broadcast(S, in[r + 11]);
            c5_0 = w1_0.fma(x11, c5_0); c5_1 = w1_1.fma(x11, c5_1);
            FloatVector x12 = FloatVector.broadcast(S, in[r + 12]);
            c5_0 = w2_0.fma(x12, c5_0); c5_1 = w2_1.fma(x12, c5_1); c6_0 = w0_0.fma(x12, c6_0); c6_1 = w0_1.fma(x12, c6_1);
            FloatVector x13 = FloatVector.broadcast(S, in[r + 13]);
            c6_0 = w1_0.fma(x13, c6_0); c6_1 = w1_1.fma(x13, c6_1);
            FloatVector x14 = FloatVector.broadcast(S, in[r + 14]);
            c6_0 = w2_0.fma(x14, c6_0); c6_1 = w2_1.fma(x14, c6_1);
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
    }
}
