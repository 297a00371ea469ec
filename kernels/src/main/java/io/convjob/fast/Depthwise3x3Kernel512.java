package io.convjob.fast;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Depthwise3x3Kernel} at 512 bits. Each strip of two vectors of columns runs down the plane once: every input
 * row is loaded once (three shifted vectors per column vector, straight from x) and feeds the three output rows it
 * belongs to, whose sums stay in registers (a rolling window of two open rows; the third is finished and stored). That
 * is 3 loads per 9 FMAs; loading the rows again for each output row took 6 and ran at a third of the FMA rate. Row
 * padding needs no code: the first row opens two sums, the last closes one. Column padding: a shifted load's one lane
 * that reads column -1 (the previous row's last value) or column width (the next row's first) is cleared by an AND
 * with a keep vector chosen per strip, a plain bitwise op. An earlier version copied every plane between zero columns
 * first: that copy cost as much as the whole computation. No masks either: C2 (JDK 17) boxes vectors that meet after
 * a branch, and with the column masks of an earlier version one JVM in three compiled the loop with boxed vectors (4x
 * slower; which one depended on the JIT's compile order).
 */
final class Depthwise3x3Kernel512 implements Depthwise3x3Kernel {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_512;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_512;
    /**
     * Keep vectors: from 0 every lane kept (-1); from L the first lane cleared; from 1 the last lane cleared (lane L
     * is the only 0).
     */
    private static final int[] KEEP = keep(S.length());

    private static int[] keep(int lanes) {
        int[] k = new int[2 * lanes];
        java.util.Arrays.fill(k, -1);
        k[lanes] = 0;
        return k;
    }

    @Override public int lanes() { return S.length(); }

    @Override public void plane(float[] x, int xOff, int height, int width, float[] w9, int wOff, float bias,
                                float[] y, int yOff) {
        int L = S.length();
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
            // a vector at q reads column -1 in its left shift only if q == 0, column width in its right shift only
            // if it ends at width
            IntVector leftA = IntVector.fromArray(I, KEEP, qa == 0 ? L : 0);
            IntVector rightA = IntVector.fromArray(I, KEEP, qa + L == width ? 1 : 0);
            IntVector leftB = IntVector.fromArray(I, KEEP, qb == 0 ? L : 0);
            IntVector rightB = IntVector.fromArray(I, KEEP, qb + L == width ? 1 : 0);
            int ia = xOff + qa;
            int ib = xOff + qb;
            // input row 0: opens output rows 0 (centre taps) and 1 (top taps)
            FloatVector la = FloatVector.fromArray(S, x, ia - 1).reinterpretAsInts().and(leftA).reinterpretAsFloats();
            FloatVector ca = FloatVector.fromArray(S, x, ia);
            FloatVector ha = FloatVector.fromArray(S, x, ia + 1).reinterpretAsInts().and(rightA).reinterpretAsFloats();
            FloatVector lb = FloatVector.fromArray(S, x, ib - 1).reinterpretAsInts().and(leftB).reinterpretAsFloats();
            FloatVector cb = FloatVector.fromArray(S, x, ib);
            FloatVector hb = FloatVector.fromArray(S, x, ib + 1).reinterpretAsInts().and(rightB).reinterpretAsFloats();
            FloatVector upA = ha.fma(w5, ca.fma(w4, la.fma(w3, b)));
            FloatVector upB = hb.fma(w5, cb.fma(w4, lb.fma(w3, b)));
            FloatVector downA = ha.fma(w2, ca.fma(w1, la.fma(w0, b)));
            FloatVector downB = hb.fma(w2, cb.fma(w1, lb.fma(w0, b)));
            int ya = yOff + qa;
            int yb = yOff + qb;
            for (int i = 1; i < height; i++) {
                // input row i closes output row i - 1 (bottom taps), adds to row i, opens row i + 1
                ia += width;
                ib += width;
                la = FloatVector.fromArray(S, x, ia - 1).reinterpretAsInts().and(leftA).reinterpretAsFloats();
                ca = FloatVector.fromArray(S, x, ia);
                ha = FloatVector.fromArray(S, x, ia + 1).reinterpretAsInts().and(rightA).reinterpretAsFloats();
                lb = FloatVector.fromArray(S, x, ib - 1).reinterpretAsInts().and(leftB).reinterpretAsFloats();
                cb = FloatVector.fromArray(S, x, ib);
                hb = FloatVector.fromArray(S, x, ib + 1).reinterpretAsInts().and(rightB).reinterpretAsFloats();
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
