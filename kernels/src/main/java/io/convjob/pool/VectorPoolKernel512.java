package io.convjob.pool;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link PoolKernel} at 512 bits. The 256- and 128-bit classes are generated from this file at build time (the
 * Vector API compiles to SIMD only when the species is a constant): edit this one. As in the conv kernels, the hot
 * loops are straight-line (C2 falls back to slow code when vector values meet after an {@code if}). Rows and
 * stride-1/2 windows run in whole vectors, the last one moved back to end at the row's end (overlapping,
 * recomputing a few outputs) instead of a scalar tail; rows shorter than a vector and other strides run scalar.
 */
final class VectorPoolKernel512 implements PoolKernel {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_512;
    /** Lane i takes lane 2i mod L; the upper half of the lanes. */
    private static final VectorShuffle<Float> EVEN = VectorShuffle.fromOp(S, i -> 2 * i % S.length());
    private static final VectorMask<Float> HIGH_HALF = S.indexInRange(-S.length() / 2, S.length() / 2);

    @Override public void maxRows(float[] src, int off, int rowStride, int rows, float[] dst, int dOff, int len) {
        int L = S.length();
        if (len < L) {
            ScalarPoolKernel.maxRowsFrom(0, src, off, rowStride, rows, dst, dOff, len);
            return;
        }
        for (int i = 0; i < len; i += L) {
            int at = Math.min(i, len - L);
            FloatVector m = FloatVector.fromArray(S, src, off + at);
            for (int r = 1; r < rows; r++) m = m.max(FloatVector.fromArray(S, src, off + r * rowStride + at));
            m.intoArray(dst, dOff + at);
        }
    }

    @Override public void sumRows(float[] src, int off, int rowStride, int rows, float scale, float[] dst, int dOff,
                                  int len) {
        int L = S.length();
        if (len < L) {
            ScalarPoolKernel.sumRowsFrom(0, src, off, rowStride, rows, scale, dst, dOff, len);
            return;
        }
        for (int i = 0; i < len; i += L) {
            int at = Math.min(i, len - L);
            FloatVector s = FloatVector.fromArray(S, src, off + at);
            for (int r = 1; r < rows; r++) s = s.add(FloatVector.fromArray(S, src, off + r * rowStride + at));
            s.mul(scale).intoArray(dst, dOff + at);
        }
    }

    @Override public void maxWindows(float[] src, int off, int stride, int k, float[] dst, int dOff, int outLen) {
        int L = S.length();
        if (stride == 1 && outLen >= L) {
            for (int o = 0; o < outLen; o += L) {
                int at = Math.min(o, outLen - L);
                maxRun(src, off + at, k).intoArray(dst, dOff + at);
            }
            return;
        }
        int vectorLen = stride2Outputs(src, off, k, outLen);
        if (stride == 2 && vectorLen >= L) {
            for (int o = 0; o < vectorLen; o += L) {
                int at = Math.min(o, vectorLen - L);
                int p = off + 2 * at;
                evens(maxRun(src, p, k), maxRun(src, p + L, k)).intoArray(dst, dOff + at);
            }
            ScalarPoolKernel.maxWindowsFrom(vectorLen, src, off, stride, k, dst, dOff, outLen);
            return;
        }
        ScalarPoolKernel.maxWindowsFrom(0, src, off, stride, k, dst, dOff, outLen);
    }

    @Override public void sumWindows(float[] src, int off, int stride, int k, float scale, float[] dst, int dOff,
                                     int outLen) {
        int L = S.length();
        if (stride == 1 && outLen >= L) {
            for (int o = 0; o < outLen; o += L) {
                int at = Math.min(o, outLen - L);
                sumRun(src, off + at, k).mul(scale).intoArray(dst, dOff + at);
            }
            return;
        }
        int vectorLen = stride2Outputs(src, off, k, outLen);
        if (stride == 2 && vectorLen >= L) {
            for (int o = 0; o < vectorLen; o += L) {
                int at = Math.min(o, vectorLen - L);
                int p = off + 2 * at;
                evens(sumRun(src, p, k), sumRun(src, p + L, k)).mul(scale).intoArray(dst, dOff + at);
            }
            ScalarPoolKernel.sumWindowsFrom(vectorLen, src, off, stride, k, scale, dst, dOff, outLen);
            return;
        }
        ScalarPoolKernel.sumWindowsFrom(0, src, off, stride, k, scale, dst, dOff, outLen);
    }

    /** Lanes above 0 kept, the rest (0, -0, negative, NaN) set to +0, as {@code Activation.RELU} does. */
    @Override public void reluInPlace(float[] a, int off, int len) {
        int L = S.length();
        if (len < L) {
            ScalarPoolKernel.reluFrom(0, a, off, len);
            return;
        }
        FloatVector zero = FloatVector.zero(S);
        // relu is idempotent, so the last vector may overlap the one before it
        for (int i = 0; i < len; i += L) {
            int at = off + Math.min(i, len - L);
            FloatVector v = FloatVector.fromArray(S, a, at);
            zero.blend(v, v.compare(VectorOperators.GT, 0f)).intoArray(a, at);
        }
    }

    /**
     * How many stride-2 outputs the vector loop may produce: a chunk reads one element past its last window
     * (an odd lane, discarded), which must still lie inside the array.
     */
    private static int stride2Outputs(float[] src, int off, int k, int outLen) {
        return off + 2L * outLen + k - 2 < src.length ? outLen : outLen - 1;
    }

    /** Lane i: {@code max_{j < k} src[p + i + j]}. */
    private static FloatVector maxRun(float[] src, int p, int k) {
        FloatVector m = FloatVector.fromArray(S, src, p);
        for (int j = 1; j < k; j++) m = m.max(FloatVector.fromArray(S, src, p + j));
        return m;
    }

    /** Lane i: {@code sum_{j < k} src[p + i + j]}. */
    private static FloatVector sumRun(float[] src, int p, int k) {
        FloatVector s = FloatVector.fromArray(S, src, p);
        for (int j = 1; j < k; j++) s = s.add(FloatVector.fromArray(S, src, p + j));
        return s;
    }

    /** The even lanes of {@code lo} then of {@code hi}: every second element of the 2L they hold. */
    private static FloatVector evens(FloatVector lo, FloatVector hi) {
        return lo.rearrange(EVEN).blend(hi.rearrange(EVEN), HIGH_HALF);
    }

    @Override public String name() { return "vector-512"; }
}
