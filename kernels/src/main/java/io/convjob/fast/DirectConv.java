package io.convjob.fast;

import io.convjob.shape.ConvGeometry;

import java.util.Arrays;

/**
 * Convolution without im2col. Each stride phase ({@link ConvPlan}) is cut into output rows along the innermost
 * dim. For one row, the input lines every tap needs (per input channel and outer tap) are copied once into a
 * small buffer, split by stride phase so that each inner tap reads a contiguous run of it; the micro-kernel then
 * takes its B operand straight from that buffer ({@code [ci][outerTap][slot][u]}), and padding, cropping, pre-padding
 * modes and lhs dilation only cost the halo of the copy. Pointwise phases (one tap per dim that maps position q to
 * input q) skip the copy: B is the input channel planes themselves.
 */
final class DirectConv implements PreparedConv {
    private static final int ROWS = DirectKernel.ROWS;
    /** Row chunk per work item in vectors: long rows split so the line buffer stays in L2 and threads balance. */
    private static final int CHUNK_VECTORS = 16;
    /** Pointwise chunk per work item in vectors. */
    private static final int FLAT_CHUNK_VECTORS = 8;
    /** Line buffers above this many floats go to {@link TiledConv} instead. */
    static final int MAX_BUFFER = 1 << 20;

    private final ConvPlan plan;
    private final DirectKernel kernel;
    private final ThreadLocal<Workspace> workspaces;
    private final int lanes;
    private final Layout[] layouts;
    /** Per group, the bias of each row block padded to 8 (zeros where absent). */
    private final float[][] bias8;
    private final int[] itemGroup;
    private final int[] itemPhase;
    private final int[] itemIndex;

    /** True when the line buffers of {@code plan} stay under {@link #MAX_BUFFER}. */
    static boolean fits(ConvPlan plan, int lanes) {
        for (ConvPlan.Phase ph : plan.phases) {
            if (new Layout(plan, ph, lanes).bufferSize > MAX_BUFFER) return false;
        }
        return true;
    }

    DirectConv(ConvPlan plan, DirectKernel kernel, ThreadLocal<Workspace> workspaces) {
        this.plan = plan;
        this.kernel = kernel;
        this.workspaces = workspaces;
        this.lanes = kernel.lanes();
        this.layouts = new Layout[plan.phases.length];
        int items = 0;
        for (int p = 0; p < layouts.length; p++) {
            layouts[p] = new Layout(plan, plan.phases[p], lanes);
            items += plan.groups * layouts[p].items();
        }
        this.bias8 = new float[plan.groups][plan.mBlocks * ROWS];
        for (int grp = 0; grp < plan.groups; grp++) {
            for (int co = 0; co < plan.outPerGroup && plan.bias != null; co++) {
                bias8[grp][co] = plan.bias[grp * plan.outPerGroup + co];
            }
        }
        itemGroup = new int[items];
        itemPhase = new int[items];
        itemIndex = new int[items];
        int i = 0;
        for (int grp = 0; grp < plan.groups; grp++) {
            for (int p = 0; p < layouts.length; p++) {
                for (int j = 0; j < layouts[p].items(); j++) {
                    itemGroup[i] = grp;
                    itemPhase[i] = p;
                    itemIndex[i] = j;
                    i++;
                }
            }
        }
    }

    /** Per phase: how rows, lines and B offsets are laid out. */
    static final class Layout {
        final ConvPlan.Phase phase;
        /** Pointwise: B rows are the input channel planes, positions flattened. */
        final boolean flat;
        /** Positions per row (flat: all positions of the phase). */
        final int rowLength;
        final int chunk;
        final int chunks;
        final int rowsPerPhase;
        final int innerTaps;
        final int outerTaps;
        final int lineLen;
        final int rowPitch;
        final int bufferSize;
        /** {@code lineIndex[slot][u]}: input index along the innermost dim of line u of a slot, or -1 for zero. */
        final int[][] lineIndex;
        final int[] runLo;
        final int[] runHi;
        final int runStep;
        /** B offset of depth row k = (ci * outerTaps + outerTap) * innerTaps + innerTap. */
        final int[] kOff;
        /** Flat path, partial vectors: B offsets into a copied tile {@code [ci][w]} for w = 2 and 1 vectors. */
        final int[] tailKOff2;
        final int[] tailKOff1;
        /** Flat path on a strided phase: the output offset of each flat position; else null. */
        final int[] outIndex;
        /** Consecutive positions of a row are consecutive in y (no phase stride along the innermost dim). */
        final boolean innerContiguous;

        Layout(ConvPlan plan, ConvPlan.Phase ph, int lanes) {
            ConvGeometry g = plan.geometry;
            int n = plan.dims;
            int last = n - 1;
            this.phase = ph;
            this.flat = isPointwise(g, ph);
            this.innerContiguous = ph.period[last] == 1;
            this.innerTaps = ph.taps[last].length;
            this.outerTaps = innerTaps == 0 ? 0 : ph.tapCount / innerTaps;
            int inPerGroup = plan.inPerGroup;
            if (flat) {
                rowLength = ph.positions;
                rowsPerPhase = 1;
                chunk = FLAT_CHUNK_VECTORS * lanes;
                chunks = (rowLength + chunk - 1) / chunk;
                kOff = new int[inPerGroup];
                tailKOff2 = new int[inPerGroup];
                tailKOff1 = new int[inPerGroup];
                for (int ci = 0; ci < inPerGroup; ci++) {
                    kOff[ci] = ci * plan.inSize;
                    tailKOff2[ci] = ci * 2 * lanes;
                    tailKOff1[ci] = ci * lanes;
                }
                outIndex = ph.wholeGrid ? null : outIndex(plan, ph);
                lineLen = 0;
                rowPitch = 0;
                bufferSize = inPerGroup * 2 * lanes;
                lineIndex = new int[0][];
                runLo = new int[0];
                runHi = new int[0];
                runStep = 0;
                return;
            }
            tailKOff2 = null;
            tailKOff1 = null;
            outIndex = null;
            rowLength = ph.count[last];
            rowsPerPhase = ph.positions / rowLength;
            int maxChunk = CHUNK_VECTORS * lanes;
            chunk = rowLength <= maxChunk ? rowLength : maxChunk;
            chunks = (rowLength + chunk - 1) / chunk;
            int chunkPad = (chunk + lanes - 1) / lanes * lanes;
            int step = ph.period[last] * g.stride()[last];
            int[] slotStart = new int[innerTaps];
            int[] slotOf = new int[innerTaps];
            int[] shift = new int[innerTaps];
            int slots = 0;
            int maxShift = 0;
            for (int ti = 0; ti < innerTaps; ti++) {
                int v0 = ph.residue[last] * g.stride()[last] + ph.taps[last][ti] * g.dilation()[last];
                int j = v0 % step;
                shift[ti] = v0 / step;
                maxShift = Math.max(maxShift, shift[ti]);
                int s = 0;
                while (s < slots && slotStart[s] != j) s++;
                if (s == slots) slotStart[slots++] = j;
                slotOf[ti] = s;
            }
            lineLen = chunkPad + maxShift;
            rowPitch = slots * lineLen;
            bufferSize = inPerGroup * outerTaps * rowPitch;
            int lhs = g.lhsDilation()[last];
            runStep = step % lhs == 0 ? step / lhs : 0;
            int tableLen = (chunks - 1) * chunk + lineLen;
            int[] map = g.sourceIndex()[last];
            lineIndex = new int[slots][tableLen];
            runLo = new int[slots];
            runHi = new int[slots];
            for (int s = 0; s < slots; s++) {
                for (int u = 0; u < tableLen; u++) {
                    long v = slotStart[s] + (long) step * u;
                    lineIndex[s][u] = v < map.length ? map[(int) v] : -1;
                }
                longestRun(s);
            }
            kOff = new int[inPerGroup * ph.tapCount];
            for (int rk = 0; rk < inPerGroup * outerTaps; rk++) {
                for (int ti = 0; ti < innerTaps; ti++) {
                    kOff[rk * innerTaps + ti] = rk * rowPitch + slotOf[ti] * lineLen + shift[ti];
                }
            }
        }

        int items() { return rowsPerPhase * chunks; }

        private void longestRun(int s) {
            int[] idx = lineIndex[s];
            int bestLo = 0;
            int bestLen = 0;
            int u = 0;
            while (runStep > 0 && u < idx.length) {
                if (idx[u] < 0) {
                    u++;
                    continue;
                }
                int lo = u;
                while (u + 1 < idx.length && idx[u + 1] == idx[u] + runStep) u++;
                u++;
                if (u - lo > bestLen) {
                    bestLen = u - lo;
                    bestLo = lo;
                }
            }
            runLo[s] = bestLo;
            runHi[s] = bestLo + bestLen;
        }

        /** One tap per dim, reading input position q for output position q: a plain GEMM on the input planes. */
        private static boolean isPointwise(ConvGeometry g, ConvPlan.Phase ph) {
            for (int d = 0; d < ph.taps.length; d++) {
                if (ph.taps[d].length != 1 || ph.count[d] != g.inShape()[d]) return false;
                int[] src = ph.source[d][0];
                for (int q = 0; q < src.length; q++) if (src[q] != q) return false;
            }
            return true;
        }

        private static int[] outIndex(ConvPlan plan, ConvPlan.Phase ph) {
            int n = plan.dims;
            int[] out = new int[ph.positions];
            int[] c = new int[n];
            for (int p = 0; p < ph.positions; p++) {
                int off = 0;
                for (int d = 0; d < n; d++) off += (ph.residue[d] + ph.period[d] * c[d]) * plan.outStrides[d];
                out[p] = off;
                for (int d = n - 1; d >= 0 && ++c[d] == ph.count[d]; d--) c[d] = 0;
            }
            return out;
        }
    }

    @Override public ConvGeometry geometry() { return plan.geometry; }

    @Override public void run(float[] x, float[] y, int batch, int threads) {
        int perSample = itemGroup.length;
        WorkPool.forEach(batch * perSample, threads, item -> {
            int b = item / perSample;
            int i = item % perSample;
            Layout layout = layouts[itemPhase[i]];
            if (layout.flat) {
                runFlat(x, y, b, itemGroup[i], layout, itemIndex[i], workspaces.get());
            } else {
                runRow(x, y, b, itemGroup[i], layout, itemIndex[i], workspaces.get());
            }
        });
    }

    private void runRow(float[] x, float[] y, int b, int grp, Layout lay, int index, Workspace ws) {
        ConvPlan p = plan;
        ConvPlan.Phase ph = lay.phase;
        int n = p.dims;
        int last = n - 1;
        int row = index / lay.chunks;
        int q0 = (index % lay.chunks) * lay.chunk;
        int valid = Math.min(lay.chunk, lay.rowLength - q0);
        int[] coords = ws.coords(n);
        int rest = row;
        for (int d = last - 1; d >= 0; d--) {
            coords[d] = rest % ph.count[d];
            rest /= ph.count[d];
        }
        int yRow = ph.residue[last];
        for (int d = 0; d < last; d++) yRow += (ph.residue[d] + ph.period[d] * coords[d]) * p.outStrides[d];
        int xBase = (b * p.inChannels + grp * p.inPerGroup) * p.inSize;
        float[] buf = ws.patches(lay.bufferSize);
        fillLines(x, xBase, lay, coords, q0, buf);

        int yBase = (b * p.outChannels + grp * p.outPerGroup) * p.outSize;
        int depth = ph.depth;
        int period = ph.period[last];
        float[] a = ph.packed[grp];
        float[] bias = bias8[grp];
        int w2 = 2 * lanes;
        float[] tile = ws.outTile(ROWS * w2);
        for (int mb = 0; mb < p.mBlocks; mb++) {
            int validRows = Math.min(ROWS, p.outPerGroup - mb * ROWS);
            int aOff = mb * depth * ROWS;
            int yBlock = yBase + mb * ROWS * p.outSize + yRow;
            for (int s = 0; s < valid; ) {
                int rem = valid - s;
                int w = rem > lanes ? w2 : lanes;
                int q = q0 + s;
                if (lay.innerContiguous && rem >= w) {
                    tile(w, a, aOff, buf, s, lay.kOff, depth, bias, mb * ROWS, y, yBlock + q, p.outSize, validRows);
                } else {
                    tile(w, a, aOff, buf, s, lay.kOff, depth, bias, mb * ROWS, tile, 0, w, ROWS);
                    int len = Math.min(w, rem);
                    for (int r = 0; r < validRows; r++) {
                        int yr = yBlock + r * p.outSize + q * period;
                        for (int j = 0; j < len; j++) y[yr + j * period] = tile[r * w + j];
                    }
                }
                s += w;
            }
        }
    }

    /** The lines of one row chunk: {@code buf[((ci * outerTaps + ot) * slots + slot) * lineLen + u]}. */
    private void fillLines(float[] x, int xBase, Layout lay, int[] coords, int q0, float[] buf) {
        ConvPlan p = plan;
        ConvPlan.Phase ph = lay.phase;
        int n = p.dims;
        int last = n - 1;
        int slots = lay.lineIndex.length;
        for (int ot = 0; ot < lay.outerTaps; ot++) {
            int t = ot * lay.innerTaps;
            int off = 0;
            for (int d = 0; d < last && off >= 0; d++) {
                int s = ph.source[d][ph.tapOf[t * n + d]][coords[d]];
                off = s < 0 ? -1 : off + s * p.inStrides[d];
            }
            for (int ci = 0; ci < p.inPerGroup; ci++) {
                int dst = (ci * lay.outerTaps + ot) * lay.rowPitch;
                if (off < 0) {
                    Arrays.fill(buf, dst, dst + lay.rowPitch, 0f);
                    continue;
                }
                int src = xBase + ci * p.inSize + off;
                for (int s = 0; s < slots; s++) fillLine(x, src, lay, s, q0, buf, dst + s * lay.lineLen);
            }
        }
    }

    private static void fillLine(float[] x, int src, Layout lay, int slot, int q0, float[] buf, int dst) {
        int[] idx = lay.lineIndex[slot];
        int end = q0 + lay.lineLen;
        int lo = Math.max(q0, Math.min(end, lay.runLo[slot]));
        int hi = Math.max(lo, Math.min(end, lay.runHi[slot]));
        int u = q0;
        for (; u < lo; u++) buf[dst++] = idx[u] < 0 ? 0f : x[src + idx[u]];
        if (lo < hi) {
            int start = src + idx[lo];
            int step = lay.runStep;
            if (step == 1) {
                System.arraycopy(x, start, buf, dst, hi - lo);
                dst += hi - lo;
            } else {
                for (int i = 0; i < hi - lo; i++) buf[dst++] = x[start + i * step];
            }
            u = hi;
        }
        for (; u < end; u++) buf[dst++] = idx[u] < 0 ? 0f : x[src + idx[u]];
    }

    private void runFlat(float[] x, float[] y, int b, int grp, Layout lay, int index, Workspace ws) {
        ConvPlan p = plan;
        ConvPlan.Phase ph = lay.phase;
        int p0 = index * lay.chunk;
        int valid = Math.min(lay.chunk, lay.rowLength - p0);
        int xBase = (b * p.inChannels + grp * p.inPerGroup) * p.inSize;
        int yBase = (b * p.outChannels + grp * p.outPerGroup) * p.outSize;
        int depth = ph.depth;
        float[] a = ph.packed[grp];
        float[] bias = bias8[grp];
        int w2 = 2 * lanes;
        float[] tile = ws.outTile(ROWS * w2);
        for (int s = 0; s < valid; ) {
            int rem = valid - s;
            int w = rem > lanes ? w2 : lanes;
            int pos = p0 + s;
            float[] bArr = x;
            int bOff = xBase + pos;
            int[] kOff = lay.kOff;
            if (rem < w) {
                bArr = ws.patches(lay.bufferSize);
                for (int ci = 0; ci < p.inPerGroup; ci++) {
                    System.arraycopy(x, xBase + ci * p.inSize + pos, bArr, ci * w, rem);
                    Arrays.fill(bArr, ci * w + rem, ci * w + w, 0f);
                }
                bOff = 0;
                kOff = w == w2 ? lay.tailKOff2 : lay.tailKOff1;
            }
            boolean direct = ph.wholeGrid && rem >= w;
            for (int mb = 0; mb < p.mBlocks; mb++) {
                int validRows = Math.min(ROWS, p.outPerGroup - mb * ROWS);
                int aOff = mb * depth * ROWS;
                int yBlock = yBase + mb * ROWS * p.outSize;
                if (direct) {
                    tile(w, a, aOff, bArr, bOff, kOff, depth, bias, mb * ROWS, y, yBlock + pos, p.outSize, validRows);
                } else {
                    tile(w, a, aOff, bArr, bOff, kOff, depth, bias, mb * ROWS, tile, 0, w, ROWS);
                    int len = Math.min(w, rem);
                    for (int r = 0; r < validRows; r++) {
                        int yr = yBlock + r * p.outSize;
                        if (lay.outIndex == null) {
                            System.arraycopy(tile, r * w, y, yr + pos, len);
                        } else {
                            for (int j = 0; j < len; j++) y[yr + lay.outIndex[pos + j]] = tile[r * w + j];
                        }
                    }
                }
            }
            s += w;
        }
    }

    private void tile(int w, float[] a, int aOff, float[] b, int bOff, int[] kOff, int depth, float[] bias,
                      int biasOff, float[] c, int cOff, int ldc, int validRows) {
        if (w == lanes) {
            kernel.tile1(a, aOff, b, bOff, kOff, depth, bias, biasOff, c, cOff, ldc, validRows);
        } else {
            kernel.tile2(a, aOff, b, bOff, kOff, depth, bias, biasOff, c, cOff, ldc, validRows);
        }
    }
}
