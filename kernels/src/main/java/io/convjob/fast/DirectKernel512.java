package io.convjob.fast;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link DirectKernel} at 512 bits: 8 x 2 accumulators, 2 B vectors and a broadcast stay in registers (with 32 vector
 * registers; with 16, {@link #tile2} runs as {@link #tile2Halves}). (A half-size
 * tile for row tails was slower overall: FloatVector code shared by two species gets a polluted profile and C2
 * then boxes the vectors.) The other sizes are generated from this file at build time (the Vector
 * API only compiles to SIMD when the species is a constant): edit this one. In JDK 17, C2 also falls back to slow
 * code when vector values meet after an {@code if} or one method inlines too many vector calls: keep the hot
 * paths straight-line.
 */
final class DirectKernel512 implements DirectKernel {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_512;
    /** Lane 0, and the last lane. */
    private static final VectorMask<Float> FIRST = VectorMask.fromLong(S, 1L);
    private static final VectorMask<Float> LAST = VectorMask.fromLong(S, 1L << (S.length() - 1));
    /** Lane i takes lane 2i mod L; the upper half of the lanes. */
    private static final VectorShuffle<Float> EVEN = VectorShuffle.fromOp(S, i -> 2 * i % S.length());
    private static final VectorMask<Float> HIGH_HALF = S.indexInRange(-S.length() / 2, S.length() / 2);
    /** Lane i takes lane 2i + 1 mod L. */
    private static final VectorShuffle<Float> ODD = VectorShuffle.fromOp(S, i -> (2 * i + 1) % S.length());
    /** Lane i takes lane i / 2, of the lower or upper half; the odd lanes. */
    private static final VectorShuffle<Float> SPREAD_LOW = VectorShuffle.fromOp(S, i -> i / 2);
    private static final VectorShuffle<Float> SPREAD_HIGH = VectorShuffle.fromOp(S, i -> S.length() / 2 + i / 2);
    private static final VectorMask<Float> ODD_LANES = VectorMask.fromLong(S, 0xAAAA_AAAA_AAAA_AAAAL);

    @Override public int lanes() { return S.length(); }

    @Override public void tile2(float[] a, int aOff, float[] b, int bOff, int[] kOff, int depth, float[] bias,
                                int biasOff, float[] c, int cOff, int ldc, int validRows) {
        if (SIXTEEN_VECTOR_REGISTERS) {
            // a constant: C2 keeps one of the two bodies
            tile2Halves(a, aOff, b, bOff, kOff, depth, bias, biasOff, c, cOff, ldc, validRows);
            return;
        }
        int L = S.length();
        FloatVector c00 = FloatVector.broadcast(S, bias[biasOff + 0]), c01 = FloatVector.broadcast(S, bias[biasOff + 0]);
        FloatVector c10 = FloatVector.broadcast(S, bias[biasOff + 1]), c11 = FloatVector.broadcast(S, bias[biasOff + 1]);
        FloatVector c20 = FloatVector.broadcast(S, bias[biasOff + 2]), c21 = FloatVector.broadcast(S, bias[biasOff + 2]);
        FloatVector c30 = FloatVector.broadcast(S, bias[biasOff + 3]), c31 = FloatVector.broadcast(S, bias[biasOff + 3]);
        FloatVector c40 = FloatVector.broadcast(S, bias[biasOff + 4]), c41 = FloatVector.broadcast(S, bias[biasOff + 4]);
        FloatVector c50 = FloatVector.broadcast(S, bias[biasOff + 5]), c51 = FloatVector.broadcast(S, bias[biasOff + 5]);
        FloatVector c60 = FloatVector.broadcast(S, bias[biasOff + 6]), c61 = FloatVector.broadcast(S, bias[biasOff + 6]);
        FloatVector c70 = FloatVector.broadcast(S, bias[biasOff + 7]), c71 = FloatVector.broadcast(S, bias[biasOff + 7]);
        for (int k = 0; k < depth; k++) {
            int bk = bOff + kOff[k];
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

    @Override public void tile2Halves(float[] a, int aOff, float[] b, int bOff, int[] kOff, int depth, float[] bias,
                                      int biasOff, float[] c, int cOff, int ldc, int validRows) {
        fourRows(a, aOff, b, bOff, kOff, depth, bias, biasOff, c, cOff, ldc, validRows, 0);
        fourRows(a, aOff, b, bOff, kOff, depth, bias, biasOff, c, cOff, ldc, validRows, 4);
    }

    /**
     * Rows {@code r0 .. r0 + 3} of {@link #tile2}: 4 x 2 accumulators, 2 B vectors and a broadcast, 11 registers.
     */
    private static void fourRows(float[] a, int aOff, float[] b, int bOff, int[] kOff, int depth, float[] bias,
                                 int biasOff, float[] c, int cOff, int ldc, int validRows, int r0) {
        int L = S.length();
        FloatVector c00 = FloatVector.broadcast(S, bias[biasOff + r0]), c01 = FloatVector.broadcast(S, bias[biasOff + r0]);
        FloatVector c10 = FloatVector.broadcast(S, bias[biasOff + r0 + 1]), c11 = FloatVector.broadcast(S, bias[biasOff + r0 + 1]);
        FloatVector c20 = FloatVector.broadcast(S, bias[biasOff + r0 + 2]), c21 = FloatVector.broadcast(S, bias[biasOff + r0 + 2]);
        FloatVector c30 = FloatVector.broadcast(S, bias[biasOff + r0 + 3]), c31 = FloatVector.broadcast(S, bias[biasOff + r0 + 3]);
        int aRows = aOff + r0;
        for (int k = 0; k < depth; k++) {
            int bk = bOff + kOff[k];
            FloatVector b0 = FloatVector.fromArray(S, b, bk);
            FloatVector b1 = FloatVector.fromArray(S, b, bk + L);
            int ak = aRows + k * ROWS;
            FloatVector a0 = FloatVector.broadcast(S, a[ak]);
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
        }
        int o = cOff + r0 * ldc;
        if (r0 < validRows) {
            c00.intoArray(c, o);
            c01.intoArray(c, o + L);
        }
        if (r0 + 1 < validRows) {
            c10.intoArray(c, o + ldc);
            c11.intoArray(c, o + ldc + L);
        }
        if (r0 + 2 < validRows) {
            c20.intoArray(c, o + 2 * ldc);
            c21.intoArray(c, o + 2 * ldc + L);
        }
        if (r0 + 3 < validRows) {
            c30.intoArray(c, o + 3 * ldc);
            c31.intoArray(c, o + 3 * ldc + L);
        }
    }

    @Override public void tile1(float[] a, int aOff, float[] b, int bOff, int[] kOff, int depth, float[] bias,
                                int biasOff, float[] c, int cOff, int ldc, int validRows) {
        int L = S.length();
        FloatVector c00 = FloatVector.broadcast(S, bias[biasOff + 0]);
        FloatVector c10 = FloatVector.broadcast(S, bias[biasOff + 1]);
        FloatVector c20 = FloatVector.broadcast(S, bias[biasOff + 2]);
        FloatVector c30 = FloatVector.broadcast(S, bias[biasOff + 3]);
        FloatVector c40 = FloatVector.broadcast(S, bias[biasOff + 4]);
        FloatVector c50 = FloatVector.broadcast(S, bias[biasOff + 5]);
        FloatVector c60 = FloatVector.broadcast(S, bias[biasOff + 6]);
        FloatVector c70 = FloatVector.broadcast(S, bias[biasOff + 7]);
        for (int k = 0; k < depth; k++) {
            int bk = bOff + kOff[k];
            FloatVector b0 = FloatVector.fromArray(S, b, bk + 0 * L);
            int ak = aOff + k * ROWS;
            FloatVector a0 = FloatVector.broadcast(S, a[ak + 0]);
            c00 = a0.fma(b0, c00);
            FloatVector a1 = FloatVector.broadcast(S, a[ak + 1]);
            c10 = a1.fma(b0, c10);
            FloatVector a2 = FloatVector.broadcast(S, a[ak + 2]);
            c20 = a2.fma(b0, c20);
            FloatVector a3 = FloatVector.broadcast(S, a[ak + 3]);
            c30 = a3.fma(b0, c30);
            FloatVector a4 = FloatVector.broadcast(S, a[ak + 4]);
            c40 = a4.fma(b0, c40);
            FloatVector a5 = FloatVector.broadcast(S, a[ak + 5]);
            c50 = a5.fma(b0, c50);
            FloatVector a6 = FloatVector.broadcast(S, a[ak + 6]);
            c60 = a6.fma(b0, c60);
            FloatVector a7 = FloatVector.broadcast(S, a[ak + 7]);
            c70 = a7.fma(b0, c70);
        }
        if (0 < validRows) {
            c00.intoArray(c, cOff + 0 * ldc + 0 * L);
        }
        if (1 < validRows) {
            c10.intoArray(c, cOff + 1 * ldc + 0 * L);
        }
        if (2 < validRows) {
            c20.intoArray(c, cOff + 2 * ldc + 0 * L);
        }
        if (3 < validRows) {
            c30.intoArray(c, cOff + 3 * ldc + 0 * L);
        }
        if (4 < validRows) {
            c40.intoArray(c, cOff + 4 * ldc + 0 * L);
        }
        if (5 < validRows) {
            c50.intoArray(c, cOff + 5 * ldc + 0 * L);
        }
        if (6 < validRows) {
            c60.intoArray(c, cOff + 6 * ldc + 0 * L);
        }
        if (7 < validRows) {
            c70.intoArray(c, cOff + 7 * ldc + 0 * L);
        }
    }

    @Override public void depthwise(float[] in, int inOff, int[] tapOff, int taps, float[] w, int wOff, float bias,
                                    float[] out, int outOff, int count) {
        int L = S.length();
        int p = 0;
        // four independent sums per tap loop: one chain would wait on the FMA latency
        for (; p + 4 * L <= count; p += 4 * L) {
            FloatVector acc0 = FloatVector.broadcast(S, bias);
            FloatVector acc1 = FloatVector.broadcast(S, bias);
            FloatVector acc2 = FloatVector.broadcast(S, bias);
            FloatVector acc3 = FloatVector.broadcast(S, bias);
            for (int t = 0; t < taps; t++) {
                FloatVector wt = FloatVector.broadcast(S, w[wOff + t]);
                int i = inOff + p + tapOff[t];
                acc0 = FloatVector.fromArray(S, in, i).fma(wt, acc0);
                acc1 = FloatVector.fromArray(S, in, i + L).fma(wt, acc1);
                acc2 = FloatVector.fromArray(S, in, i + 2 * L).fma(wt, acc2);
                acc3 = FloatVector.fromArray(S, in, i + 3 * L).fma(wt, acc3);
            }
            acc0.intoArray(out, outOff + p);
            acc1.intoArray(out, outOff + p + L);
            acc2.intoArray(out, outOff + p + 2 * L);
            acc3.intoArray(out, outOff + p + 3 * L);
        }
        // the rest in pairs; a vector that would run past count moves back to end at count (overlapping)
        for (; p < count; p += 2 * L) {
            int q0 = count >= L ? Math.min(p, count - L) : p;
            int q1 = count >= L ? Math.min(p + L, count - L) : p + L;
            FloatVector acc0 = FloatVector.broadcast(S, bias);
            FloatVector acc1 = FloatVector.broadcast(S, bias);
            for (int t = 0; t < taps; t++) {
                FloatVector wt = FloatVector.broadcast(S, w[wOff + t]);
                acc0 = FloatVector.fromArray(S, in, inOff + q0 + tapOff[t]).fma(wt, acc0);
                acc1 = FloatVector.fromArray(S, in, inOff + q1 + tapOff[t]).fma(wt, acc1);
            }
            acc0.intoArray(out, outOff + q0);
            acc1.intoArray(out, outOff + q1);
        }
    }

    @Override public void depthwiseRows(float[] in, int inOff, int inPitch, int[] tapOff, int taps, float[] w, int wOff,
                                        float bias, float[] out, int outOff, int outPitch, int rowLength, int rows) {
        int L = S.length();
        // two rows x two vectors: four independent sums; an odd last row is paired with itself
        for (int r = 0; r < rows; r += 2) {
            int r1 = Math.min(r + 1, rows - 1);
            int in0 = inOff + r * inPitch;
            int in1 = inOff + r1 * inPitch;
            int out0 = outOff + r * outPitch;
            int out1 = outOff + r1 * outPitch;
            for (int p = 0; p < rowLength; p += 2 * L) {
                int q0 = Math.min(p, rowLength - L);
                int q1 = Math.min(p + L, rowLength - L);
                FloatVector acc00 = FloatVector.broadcast(S, bias);
                FloatVector acc01 = FloatVector.broadcast(S, bias);
                FloatVector acc10 = FloatVector.broadcast(S, bias);
                FloatVector acc11 = FloatVector.broadcast(S, bias);
                for (int t = 0; t < taps; t++) {
                    FloatVector wt = FloatVector.broadcast(S, w[wOff + t]);
                    int off = tapOff[t];
                    acc00 = FloatVector.fromArray(S, in, in0 + q0 + off).fma(wt, acc00);
                    acc01 = FloatVector.fromArray(S, in, in0 + q1 + off).fma(wt, acc01);
                    acc10 = FloatVector.fromArray(S, in, in1 + q0 + off).fma(wt, acc10);
                    acc11 = FloatVector.fromArray(S, in, in1 + q1 + off).fma(wt, acc11);
                }
                acc00.intoArray(out, out0 + q0);
                acc01.intoArray(out, out0 + q1);
                acc10.intoArray(out, out1 + q0);
                acc11.intoArray(out, out1 + q1);
            }
        }
    }

    @Override public void copyEven(float[] src, int srcOff, float[] dst, int dstOff, int len) {
        int L = S.length();
        if (len < L) {
            evens(src, srcOff).blend(0f, S.indexInRange(-len, L - len)).intoArray(dst, dstOff);
            return;
        }
        // whole vectors, the last one moved back to end at len (overlapping)
        for (int i = 0; i < len; i += L) {
            int j = Math.min(i, len - L);
            evens(src, srcOff + 2 * j).intoArray(dst, dstOff + j);
        }
    }

    /** {@code src[off], src[off + 2], ..}: the even lanes of two vectors, each permuted into place. */
    private static FloatVector evens(float[] src, int off) {
        FloatVector lo = FloatVector.fromArray(S, src, off).rearrange(EVEN);
        FloatVector hi = FloatVector.fromArray(S, src, off + S.length()).rearrange(EVEN);
        return lo.blend(hi, HIGH_HALF);
    }

    @Override public void splitEvenOdd(float[] src, int srcOff, float[] dst, int evenOff, int evenLen, int oddOff,
                                       int oddLen) {
        int L = S.length();
        int n = Math.min(evenLen, oddLen);
        int done = 0;
        if (n >= L) {
            // two vectors of (even, odd) pairs give a vector of each parity: both permuted into place and blended,
            // the loads shared by the two. Only this species' FloatVector ops: narrowing through half-size vectors
            // (faster alone) gave FloatVector's shared methods a second receiver type, and C2 then compiled other
            // kernels of this species (a depthwise kernel: 47 -> 13 GFLOP/s after a stride-2 layer) into slow boxed code.
            // Whole vectors, the last pair moved back to end at n (overlapping).
            for (int i = 0; i < n; i += L) {
                int j = Math.min(i, n - L);
                FloatVector lo = FloatVector.fromArray(S, src, srcOff + 2 * j);
                FloatVector hi = FloatVector.fromArray(S, src, srcOff + 2 * j + L);
                lo.rearrange(EVEN).blend(hi.rearrange(EVEN), HIGH_HALF).intoArray(dst, evenOff + j);
                lo.rearrange(ODD).blend(hi.rearrange(ODD), HIGH_HALF).intoArray(dst, oddOff + j);
            }
            done = n;
        }
        for (int i = done; i < evenLen; i++) dst[evenOff + i] = src[srcOff + 2 * i];
        for (int i = done; i < oddLen; i++) dst[oddOff + i] = src[srcOff + 1 + 2 * i];
    }

    @Override public void interleave(float[] even, int evenOff, float[] odd, int oddOff, float[] dst, int dstOff,
                                     int len) {
        int L = S.length();
        int done = 0;
        if (len >= L) {
            // one vector of each spread over two: lane 2i of the first takes even lane i, lane 2i + 1 odd lane i.
            // FloatVector ops of this species only: converting to half vectors here made C2 lose the exact vector
            // types of splitEvenOdd's half vectors too (their profiles are shared), which then ran as slow Java code.
            // The last pair of vectors moved back to end at len (overlapping).
            for (int i = 0; i < len; i += L) {
                int j = Math.min(i, len - L);
                FloatVector e = FloatVector.fromArray(S, even, evenOff + j);
                FloatVector o = FloatVector.fromArray(S, odd, oddOff + j);
                e.rearrange(SPREAD_LOW).blend(o.rearrange(SPREAD_LOW), ODD_LANES).intoArray(dst, dstOff + 2 * j);
                e.rearrange(SPREAD_HIGH).blend(o.rearrange(SPREAD_HIGH), ODD_LANES).intoArray(dst, dstOff + 2 * j + L);
            }
            done = len;
        }
        for (int i = done; i < len; i++) {
            dst[dstOff + 2 * i] = even[evenOff + i];
            dst[dstOff + 2 * i + 1] = odd[oddOff + i];
        }
    }

    @Override public void copy(float[] src, int srcOff, float[] dst, int dstOff, int len) {
        int L = S.length();
        if (len < L) {
            System.arraycopy(src, srcOff, dst, dstOff, len);
            return;
        }
        // whole vectors, the last one moved back to end at len (overlapping): no call, no scalar tail
        for (int i = 0; i < len; i += L) {
            int j = Math.min(i, len - L);
            FloatVector.fromArray(S, src, srcOff + j).intoArray(dst, dstOff + j);
        }
    }
}
