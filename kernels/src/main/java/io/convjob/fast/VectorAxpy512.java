package io.convjob.fast;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector {@link RowAxpy}: rows shorter than the JIT's unrolled loop still run mostly in SIMD. (A masked tail
 * boxed vectors on JDK 17, so the tail is scalar.)
 * VectorAxpy256 and VectorAxpy128 are generated from this file at build time: edit this one.
 */
final class VectorAxpy512 implements RowAxpy {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_512;

    @Override public void axpy(float w, float[] x, int xOff, float[] y, int yOff, int len) {
        FloatVector wv = FloatVector.broadcast(S, w);
        int i = 0;
        int bound = S.loopBound(len);
        for (; i < bound; i += S.length()) {
            FloatVector yv = FloatVector.fromArray(S, y, yOff + i);
            FloatVector.fromArray(S, x, xOff + i).fma(wv, yv).intoArray(y, yOff + i);
        }
        for (; i < len; i++) y[yOff + i] += w * x[xOff + i];
    }
}
