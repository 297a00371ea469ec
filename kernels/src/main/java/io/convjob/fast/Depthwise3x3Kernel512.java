package io.convjob.fast;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Depthwise3x3Kernel} at 512 bits. Each strip of two vectors of columns runs down the plane once: every input
 * row is loaded once (three shifted vectors per column vector) and feeds the three output rows it belongs to, whose
 * sums stay in registers (a rolling window of two open rows; the third is finished and stored). That is 3 loads per
 * 9 FMAs; loading the rows again for each output row took 6 and ran at a third of the FMA rate. The plane is first
 * copied (whole vectors) into a buffer whose rows have a zero column either side, so the shifted loads need no masks
 * and come from L1; row padding needs no code: the first row opens two
 * sums, the last closes one. Straight-line vector code in one loop with no masks: C2 (JDK 17) boxes vectors that meet
 * after a branch, and with the column masks of an earlier version one JVM in three compiled the loop with boxed
 * vectors (4x slower; which one depended on the JIT's compile order).
 */
final class Depthwise3x3Kernel512 implements Depthwise3x3Kernel {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_512;

    @Override public int lanes() { return S.length(); }

    @Override public void plane(float[] x, int xOff, int height, int width, float[] w9, int wOff, float bias,
                                float[] y, int yOff, float[] padded) {
        int L = S.length();
        int xStride = width + 2;
        // the plane into padded, a row at a time between its zero columns (whole vectors, the last one overlapping)
        for (int r = 0; r < height; r++) {
            for (int p = 0; p < width; p += L) {
                int q = Math.min(p, width - L);
                FloatVector.fromArray(S, x, xOff + r * width + q).intoArray(padded, r * xStride + 1 + q);
            }
        }
        FloatVector w0 = FloatVector.broadcast(S, w9[wOff + 0]), w1 = FloatVector.broadcast(S, w9[wOff + 1]);
        FloatVector w2 = FloatVector.broadcast(S, w9[wOff + 2]), w3 = FloatVector.broadcast(S, w9[wOff + 3]);
        FloatVector w4 = FloatVector.broadcast(S, w9[wOff + 4]), w5 = FloatVector.broadcast(S, w9[wOff + 5]);
        FloatVector w6 = FloatVector.broadcast(S, w9[wOff + 6]), w7 = FloatVector.broadcast(S, w9[wOff + 7]);
        FloatVector w8 = FloatVector.broadcast(S, w9[wOff + 8]);
        FloatVector b = FloatVector.broadcast(S, bias);
        // strips of two column vectors at qa and qb, the last ones moved back to end at width (overlapping)
        for (int p = 0; p < width; p += 2 * L) {
            int qa = Math.min(p, width - L);
            int qb = Math.min(p + L, width - L);
            int ia = 1 + qa;
            int ib = 1 + qb;
            // input row 0: opens output rows 0 (centre taps) and 1 (top taps)
            FloatVector la = FloatVector.fromArray(S, padded, ia - 1);
            FloatVector ca = FloatVector.fromArray(S, padded, ia);
            FloatVector ha = FloatVector.fromArray(S, padded, ia + 1);
            FloatVector lb = FloatVector.fromArray(S, padded, ib - 1);
            FloatVector cb = FloatVector.fromArray(S, padded, ib);
            FloatVector hb = FloatVector.fromArray(S, padded, ib + 1);
            FloatVector upA = ha.fma(w5, ca.fma(w4, la.fma(w3, b)));
            FloatVector upB = hb.fma(w5, cb.fma(w4, lb.fma(w3, b)));
            FloatVector downA = ha.fma(w2, ca.fma(w1, la.fma(w0, b)));
            FloatVector downB = hb.fma(w2, cb.fma(w1, lb.fma(w0, b)));
            int ya = yOff + qa;
            int yb = yOff + qb;
            for (int i = 1; i < height; i++) {
                // input row i closes output row i - 1 (bottom taps), adds to row i, opens row i + 1
                ia += xStride;
                ib += xStride;
                la = FloatVector.fromArray(S, padded, ia - 1);
                ca = FloatVector.fromArray(S, padded, ia);
                ha = FloatVector.fromArray(S, padded, ia + 1);
                lb = FloatVector.fromArray(S, padded, ib - 1);
                cb = FloatVector.fromArray(S, padded, ib);
                hb = FloatVector.fromArray(S, padded, ib + 1);
                ha.fma(w8, ca.fma(w7, la.fma(w6, upA))).intoArray(y, ya);
                hb.fma(w8, cb.fma(w7, lb.fma(w6, upB))).intoArray(y, yb);
                upA = ha.fma(w5, ca.fma(w4, la.fma(w3, downA)));
                upB = hb.fma(w5, cb.fma(w4, lb.fma(w3, downB)));
                downA = ha.fma(w2, ca.fma(w1, la.fma(w0, b)));
                downB = hb.fma(w2, cb.fma(w1, lb.fma(w0, b)));
                ya += width;
                yb += width;
            }
            upA.intoArray(y, ya);
            upB.intoArray(y, yb);
        }
    }
}
