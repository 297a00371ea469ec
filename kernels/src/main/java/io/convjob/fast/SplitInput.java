package io.convjob.fast;

import io.convjob.shape.ConvGeometry;
import io.convjob.spec.Padding;

import java.util.Arrays;

/**
 * One input channel as the kernels read it: the virtual input of {@link ConvGeometry#sourceIndex()} (pre-padded,
 * lhs-dilated, padded) split per dim by the residue of its coordinate modulo {@code step[d]} (the distance between
 * consecutive outputs of one stride phase). Every tap of every phase then reads a dense box of one split block,
 * so a run of outputs along a row is a contiguous run here. Only the residues some tap reads are kept.
 *
 * <p>Layout of one channel: {@code [block][u_0]..[u_{n-1}]}, blocks in row-major order of the per-dim slots.
 */
final class SplitInput {
    /** Floats after the last channel that whole-vector reads past the last position may touch. */
    static final int SLACK = 64;

    final int dims;
    final int[] step;
    /** Per dim: the compact slot of each residue (-1 when unused). */
    final int[][] slotOf;
    final int[] slots;
    /** Lines per slot along each dim. */
    final int[] extent;
    /** Strides inside one block. */
    final int[] strides;
    final int blockSize;
    final int blocks;
    final int channelSize;
    /** The split is the input channel itself (one block, no padding, no stride). */
    final boolean identity;
    private final int[] inStrides;
    /** {@code lineIndex[d][slot][u]}: input index read, or -1 for zero. */
    private final int[][][] lineIndex;
    private final int[] runLo;
    private final int[] runHi;
    private final int runStep;
    /** Per inner slot: every line position outside the run reads zero (zero padding): no index lookups there. */
    private final boolean[] zeroEdges;
    /** Per block: the slot along the innermost dim, and each line's input offset (outer dims) or -1 for zeros. */
    private final int[] innerSlotOfBlock;
    private final int[][] lineSource;
    /**
     * Stride 2 along the innermost dim with both residues read: one slot's run reads a line's inputs {@code a, a + 2,
     * ..}, the other's {@code a + 1, a + 3, ..}. Both are then filled in one pass over the line
     * ({@link DirectKernel#splitEvenOdd}). The slot whose run reads {@code a}, or -1.
     */
    private final int pairFirst;

    SplitInput(ConvPlan plan) {
        ConvGeometry g = plan.geometry;
        int n = plan.dims;
        this.dims = n;
        this.step = new int[n];
        this.slotOf = new int[n][];
        this.slots = new int[n];
        this.extent = new int[n];
        this.inStrides = plan.inStrides;
        int[][] maps = g.sourceIndex();
        this.lineIndex = new int[n][][];
        for (int d = 0; d < n; d++) {
            int m = plan.phases.length == 0 ? 1 : plan.phases[0].period[d] * g.stride()[d];
            step[d] = m;
            slotOf[d] = new int[m];
            Arrays.fill(slotOf[d], -1);
            int[] residueOfSlot = new int[m];
            int need = 1;
            for (ConvPlan.Phase ph : plan.phases) {
                // phases without taps still lay their positions out on this grid
                need = Math.max(need, ph.count[d]);
                for (int k : ph.taps[d]) {
                    int v0 = virtualStart(g, ph, d, k);
                    int j = v0 % m;
                    if (slotOf[d][j] < 0) {
                        residueOfSlot[slots[d]] = j;
                        slotOf[d][j] = slots[d]++;
                    }
                    need = Math.max(need, v0 / m + ph.count[d]);
                }
            }
            extent[d] = need;
            lineIndex[d] = new int[slots[d]][need];
            for (int s = 0; s < slots[d]; s++) {
                for (int u = 0; u < need; u++) {
                    long v = residueOfSlot[s] + (long) m * u;
                    lineIndex[d][s][u] = v < maps[d].length ? maps[d][(int) v] : -1;
                }
            }
        }
        this.strides = new int[n];
        int size = 1;
        int b = 1;
        for (int d = n - 1; d >= 0; d--) {
            strides[d] = size;
            size = Math.multiplyExact(size, extent[d]);
            b *= slots[d];
        }
        this.blockSize = size;
        this.blocks = b;
        this.channelSize = Math.multiplyExact(blockSize, blocks);
        int last = n - 1;
        int lhs = g.lhsDilation()[last];
        this.runStep = step[last] % lhs == 0 ? step[last] / lhs : 0;
        this.runLo = new int[slots[last]];
        this.runHi = new int[slots[last]];
        for (int s = 0; s < slots[last]; s++) longestRun(s);
        this.zeroEdges = new boolean[slots[last]];
        for (int s = 0; s < slots[last]; s++) {
            boolean zero = true;
            int[] idx = lineIndex[last][s];
            for (int u = 0; u < idx.length && zero; u++) zero = (u >= runLo[s] && u < runHi[s]) || idx[u] < 0;
            zeroEdges[s] = zero;
        }
        boolean same = blocks == 1;
        for (int d = 0; d < n && same; d++) {
            same = extent[d] == g.inShape()[d];
            for (int u = 0; u < extent[d] && same; u++) same = lineIndex[d][0][u] == u;
        }
        this.identity = same;
        this.pairFirst = pairFirst();
        this.innerSlotOfBlock = new int[blocks];
        this.lineSource = new int[blocks][];
        int linesPerBlock = blockSize / extent[last];
        int[] slot = new int[n];
        int[] u = new int[n];
        for (int blk = 0; blk < blocks; blk++) {
            innerSlotOfBlock[blk] = slot[last];
            lineSource[blk] = new int[linesPerBlock];
            Arrays.fill(u, 0);
            for (int line = 0; line < linesPerBlock; line++) {
                int off = 0;
                for (int d = 0; d < last && off >= 0; d++) {
                    int idx = lineIndex[d][slot[d]][u[d]];
                    off = idx < 0 ? -1 : off + idx * inStrides[d];
                }
                lineSource[blk][line] = off;
                for (int d = last - 1; d >= 0 && ++u[d] == extent[d]; d--) u[d] = 0;
            }
            for (int d = last; d >= 0 && ++slot[d] == slots[d]; d--) slot[d] = 0;
        }
    }

    private int pairFirst() {
        int last = dims - 1;
        if (slots[last] != 2 || runStep != 2) return -1;
        for (int s = 0; s < 2; s++) {
            if (runLo[s] >= runHi[s]) return -1;
        }
        int gap = lineIndex[last][1][runLo[1]] - lineIndex[last][0][runLo[0]];
        return gap == 1 ? 0 : gap == -1 ? 1 : -1;
    }

    /** The virtual coordinate read by position 0 of phase {@code ph} at kernel index {@code k} along dim d. */
    static int virtualStart(ConvGeometry g, ConvPlan.Phase ph, int d, int k) {
        return ph.residue[d] * g.stride()[d] + k * g.dilation()[d];
    }

    /** Offset inside a channel of the box read by phase tap {@code t} (position 0). */
    int tapBase(ConvGeometry g, ConvPlan.Phase ph, int t) {
        int block = 0;
        int off = 0;
        for (int d = 0; d < dims; d++) {
            int v0 = virtualStart(g, ph, d, ph.taps[d][ph.tapOf[t * dims + d]]);
            block = block * slots[d] + slotOf[d][v0 % step[d]];
            off += (v0 / step[d]) * strides[d];
        }
        return block * blockSize + off;
    }

    private void longestRun(int s) {
        int[] run = runStep > 0 ? SourceRuns.longest(lineIndex[dims - 1][s], runStep) : new int[] {0, 0};
        runLo[s] = run[0];
        runHi[s] = run[1];
    }

    /**
     * Writes the split of the channel at {@code x[xc..]} to {@code out[oc .. oc + channelSize)}. Padding that reads
     * zero whatever the input is never written: {@code out} must already hold zeros there (a fresh or reused buffer
     * of this layout).
     */
    void fill(float[] x, int xc, float[] out, int oc, DirectKernel kernel) {
        fillPart(x, xc, out, oc, kernel, 0, parts());
    }

    /**
     * A block is filled in parts, in order: its lines (along the innermost dim), or for 1-D inputs (one line per
     * block) its positions. The number of parts per block.
     */
    int parts() {
        if (blocks == 0) return 0;
        return dims == 1 ? blockSize : blockSize / extent[dims - 1];
    }

    /** Floats per part ({@link #parts}). */
    int partLength() {
        return dims == 1 ? 1 : extent[dims - 1];
    }

    /**
     * As {@link #fill}, parts {@code [from, to)} of every block only. Parts may be filled in several calls, in
     * increasing order; no write reaches a later block.
     */
    void fillPart(float[] x, int xc, float[] out, int oc, DirectKernel kernel, int from, int to) {
        if (dims == 1) {
            fillLines(x, xc, out, oc, kernel, 0, Math.min(1, to), from, to);
        } else {
            fillLines(x, xc, out, oc, kernel, from, to, 0, extent[dims - 1]);
        }
    }

    /** Lines {@code [from, to)} of every block, positions {@code [uFrom, uTo)} of each line. */
    private void fillLines(float[] x, int xc, float[] out, int oc, DirectKernel kernel, int from, int to, int uFrom,
                           int uTo) {
        int lineLen = extent[dims - 1];
        // runs shorter than a vector: per slot, where a short vector write may run on into the line's zeros
        if (pairFirst >= 0 && uFrom == 0 && uTo == lineLen
                && Math.min(runHi[0] - runLo[0], runHi[1] - runLo[1]) >= kernel.lanes()) {
            fillPairs(x, xc, out, oc, kernel, from, to);
            return;
        }
        int step = runStep;
        int lanes = kernel.lanes();
        for (int b = 0; b < blocks; b++) {
            int slot = innerSlotOfBlock[b];
            int[] idx = lineIndex[dims - 1][slot];
            int lo = Math.max(runLo[slot], uFrom);
            int hi = Math.min(runHi[slot], uTo);
            int[] source = lineSource[b];
            int dst = oc + b * blockSize + from * lineLen;
            int end = oc + (b + 1) * blockSize;
            for (int line = from; line < to; line++, dst += lineLen) {
                int off = source[line];
                if (off < 0) continue;
                int src = xc + off;
                if (lo < hi) {
                    int runStart = src + idx[lo];
                    int len = hi - lo;
                    // a short stride-2 run writes a whole vector, zeros past the run: they land on padding or on
                    // positions this block's later parts (or the edge loops below) write again
                    int written = Math.max(len, lanes);
                    if (step == 1) {
                        kernel.copy(x, runStart, out, dst + lo, len);
                    } else if (step == 2 && runStart + 2 * written <= x.length && dst + lo + written <= end) {
                        kernel.copyEven(x, runStart, out, dst + lo, len);
                    } else {
                        for (int i = 0; i < len; i++) out[dst + lo + i] = x[runStart + i * step];
                    }
                }
                if (!zeroEdges[slot]) edges(x, src, out, dst, slot, uFrom, uTo);
            }
        }
    }

    /** As {@link #fillLines} for whole lines when {@link #pairFirst} pairs the innermost slots. */
    private void fillPairs(float[] x, int xc, float[] out, int oc, DirectKernel kernel, int from, int to) {
        int last = dims - 1;
        int lineLen = extent[last];
        int first = pairFirst;
        int second = 1 - first;
        int firstLo = runLo[first];
        int firstLen = runHi[first] - firstLo;
        int secondLo = runLo[second];
        int secondLen = runHi[second] - secondLo;
        int start = lineIndex[last][first][firstLo];
        // blocks come in pairs (inner slot 0, 1) with the same outer slots, hence the same source lines
        for (int b = 0; b < blocks; b += 2) {
            int[] source = lineSource[b];
            int dstFirst = oc + (b + first) * blockSize + from * lineLen;
            int dstSecond = oc + (b + second) * blockSize + from * lineLen;
            for (int line = from; line < to; line++, dstFirst += lineLen, dstSecond += lineLen) {
                int off = source[line];
                if (off < 0) continue;
                int src = xc + off;
                kernel.splitEvenOdd(x, src + start, out, dstFirst + firstLo, firstLen, dstSecond + secondLo,
                        secondLen);
                if (!zeroEdges[first]) edges(x, src, out, dstFirst, first, 0, lineLen);
                if (!zeroEdges[second]) edges(x, src, out, dstSecond, second, 0, lineLen);
            }
        }
    }

    /** Positions {@code [uFrom, uTo)} of a line of inner slot {@code slot} outside its run, one by one. */
    private void edges(float[] x, int src, float[] out, int dst, int slot, int uFrom, int uTo) {
        int[] idx = lineIndex[dims - 1][slot];
        int runEnd = Math.max(runLo[slot], runHi[slot]);
        for (int u = uFrom; u < Math.min(runLo[slot], uTo); u++) out[dst + u] = idx[u] < 0 ? 0f : x[src + idx[u]];
        for (int u = Math.max(uFrom, runEnd); u < uTo; u++) out[dst + u] = idx[u] < 0 ? 0f : x[src + idx[u]];
    }

}
