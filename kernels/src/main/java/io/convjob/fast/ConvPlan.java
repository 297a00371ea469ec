package io.convjob.fast;

import io.convjob.shape.ConvGeometry;

/**
 * A geometry turned into implicit-GEMM work, computed once in {@code prepare}: per group, {@code y = A * B}
 * with A the weights ({@code outPerGroup x K}) packed into row blocks of the micro-kernel's height, and B the
 * input patches ({@code K x positions}) gathered tile by tile at run time through per-dim source tables.
 *
 * <p>Transposed convolutions (lhs dilation > 1) are split into stride phases: the outputs
 * {@code o = r + P*q} of one residue {@code r} only ever meet the taps that land on real input rows, so each
 * phase is a dense convolution over the un-dilated input with a subset of the taps; the holes of the
 * dilated input are never multiplied.
 */
final class ConvPlan {
    final ConvGeometry geometry;
    final int dims;
    final int inChannels;
    final int outChannels;
    final int groups;
    final int inPerGroup;
    final int outPerGroup;
    final int inSize;
    final int outSize;
    final int[] inStrides;
    final int[] outStrides;
    final int rows;
    final int mBlocks;
    final float[] bias;
    final Phase[] phases;

    ConvPlan(ConvGeometry g, float[] weight, float[] bias, int rows) {
        this.geometry = g;
        this.dims = g.spatialDims();
        this.inChannels = g.inChannels();
        this.outChannels = g.outChannels();
        this.groups = g.groups();
        this.inPerGroup = g.inPerGroup();
        this.outPerGroup = g.outPerGroup();
        this.inSize = Math.toIntExact(g.inSpatialSize());
        this.outSize = Math.toIntExact(g.outSpatialSize());
        this.inStrides = ConvGeometry.strides(g.inShape());
        this.outStrides = ConvGeometry.strides(g.outShape());
        this.rows = rows;
        this.mBlocks = (outPerGroup + rows - 1) / rows;
        this.bias = bias;
        this.phases = g.emptyOutput() ? new Phase[0] : buildPhases(g, weight);
    }

    /** One stride phase: outputs {@code o_d = residue_d + period_d * q_d}, reading only its valid taps. */
    static final class Phase {
        final int[] residue;
        final int[] period;
        final int[] count;
        final int positions;
        /** Per dim, the kernel indices whose virtual coordinate hits a real (non-hole) input row. */
        final int[][] taps;
        final int tapCount;
        /** {@code tapOf[t * dims + d]}: index into {@code taps[d]} of flat phase tap t. */
        final int[] tapOf;
        /** {@code K = inPerGroup * tapCount}, the GEMM depth. */
        final int depth;
        /** {@code source[d][tapIndex][q]}: input index read, or -1 for zero. */
        final int[][][] source;
        /** Innermost dim, per tap: the longest run {@code [runLo, runHi)} with {@code source = first + (q-lo)*step}. */
        final int[] runLo;
        final int[] runHi;
        final int runStep;
        /** True when this phase is the whole output grid (no lhs dilation): flat q = flat output index. */
        final boolean wholeGrid;
        /** Per group, weights as {@code [mBlock][k][row]}, rows past {@code outPerGroup} zero. */
        final float[][] packed;

        Phase(int[] residue, int[] period, int[] count, int[][] taps, int[][][] source, int runStep,
              boolean wholeGrid, float[][] packed, int inPerGroup) {
            this.residue = residue;
            this.period = period;
            this.count = count;
            this.positions = (int) ConvGeometry.product(count);
            this.taps = taps;
            int n = taps.length;
            int tc = 1;
            for (int[] t : taps) tc *= t.length;
            this.tapCount = tc;
            this.tapOf = new int[tc * n];
            for (int t = 0; t < tc; t++) {
                int rest = t;
                for (int d = n - 1; d >= 0; d--) {
                    tapOf[t * n + d] = rest % taps[d].length;
                    rest /= taps[d].length;
                }
            }
            this.depth = inPerGroup * tc;
            this.source = source;
            this.runStep = runStep;
            int[][] inner = source[n - 1];
            this.runLo = new int[inner.length];
            this.runHi = new int[inner.length];
            for (int t = 0; t < inner.length; t++) longestRun(inner[t], runStep, t);
            this.wholeGrid = wholeGrid;
            this.packed = packed;
        }

        private void longestRun(int[] src, int step, int t) {
            int[] run = SourceRuns.longest(src, step);
            runLo[t] = run[0];
            runHi[t] = run[1];
        }
    }

    private Phase[] buildPhases(ConvGeometry g, float[] weight) {
        int n = dims;
        int[][] maps = g.sourceIndex();
        int[] period = new int[n];
        int phaseCount = 1;
        for (int d = 0; d < n; d++) {
            int lhs = g.lhsDilation()[d];
            period[d] = lhs / gcd(g.stride()[d], lhs);
            phaseCount *= period[d];
        }
        java.util.List<Phase> list = new java.util.ArrayList<>();
        int[] residue = new int[n];
        for (int p = 0; p < phaseCount; p++) {
            int rest = p;
            for (int d = n - 1; d >= 0; d--) {
                residue[d] = rest % period[d];
                rest /= period[d];
            }
            Phase phase = buildPhase(g, weight, maps, residue.clone(), period);
            if (phase != null) list.add(phase);
        }
        return list.toArray(new Phase[0]);
    }

    private Phase buildPhase(ConvGeometry g, float[] weight, int[][] maps, int[] residue, int[] period) {
        int n = dims;
        int[] count = new int[n];
        int[][] taps = new int[n][];
        int[][][] source = new int[n][][];
        for (int d = 0; d < n; d++) {
            int out = g.outShape()[d];
            count[d] = out <= residue[d] ? 0 : (out - residue[d] + period[d] - 1) / period[d];
            if (count[d] == 0) return null;
            int lhs = g.lhsDilation()[d];
            int[] valid = new int[g.kernel()[d]];
            int nv = 0;
            for (int k = 0; k < g.kernel()[d]; k++) {
                long u = (long) residue[d] * g.stride()[d] + (long) k * g.dilation()[d] - g.padLo()[d];
                if (Math.floorMod(u, lhs) == 0) valid[nv++] = k;
            }
            taps[d] = java.util.Arrays.copyOf(valid, nv);
            source[d] = new int[nv][count[d]];
            for (int t = 0; t < nv; t++) {
                for (int q = 0; q < count[d]; q++) {
                    int v = (residue[d] + period[d] * q) * g.stride()[d] + taps[d][t] * g.dilation()[d];
                    source[d][t][q] = maps[d][v];
                }
            }
        }
        int last = n - 1;
        int step = period[last] * g.stride()[last] / g.lhsDilation()[last];
        boolean whole = true;
        for (int d = 0; d < n; d++) whole &= period[d] == 1;
        int tapCount = 1;
        for (int[] t : taps) tapCount *= t.length;
        float[][] packed = new float[groups][];
        for (int grp = 0; grp < groups; grp++) packed[grp] = pack(g, weight, grp, taps, tapCount);
        return new Phase(residue, period, count, taps, source, step, whole, packed, inPerGroup);
    }

    /** {@code [mBlock][k = ci * tapCount + t][row]}; the flat kernel offset of phase tap t follows the per-dim taps. */
    private float[] pack(ConvGeometry g, float[] weight, int grp, int[][] taps, int tapCount) {
        int n = dims;
        int k = inPerGroup * tapCount;
        int fullTaps = (int) g.kernelSize();
        int[] kernelStrides = ConvGeometry.strides(g.kernel());
        int[] flatTap = new int[tapCount];
        for (int t = 0; t < tapCount; t++) {
            int rest = t;
            int flat = 0;
            for (int d = n - 1; d >= 0; d--) {
                flat += taps[d][rest % taps[d].length] * kernelStrides[d];
                rest /= taps[d].length;
            }
            flatTap[t] = flat;
        }
        float[] a = new float[mBlocks * k * rows];
        for (int mb = 0; mb < mBlocks; mb++) {
            for (int r = 0; r < rows; r++) {
                int col = mb * rows + r;
                if (col >= outPerGroup) break;
                int co = grp * outPerGroup + col;
                for (int ci = 0; ci < inPerGroup; ci++) {
                    int wBase = (co * inPerGroup + ci) * fullTaps;
                    for (int t = 0; t < tapCount; t++) {
                        a[(mb * k + ci * tapCount + t) * rows + r] = weight[wBase + flatTap[t]];
                    }
                }
            }
        }
        return a;
    }

    private static int gcd(int a, int b) {
        while (b != 0) {
            int t = a % b;
            a = b;
            b = t;
        }
        return a;
    }
}
