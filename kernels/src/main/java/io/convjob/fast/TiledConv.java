package io.convjob.fast;

import io.convjob.engine.PreparedConv;
import io.convjob.shape.ConvGeometry;

import java.util.Arrays;

/**
 * Any geometry as implicit GEMM: for each sample, group, stride phase and tile of output positions, gather
 * the input patches of the tile ({@code K x tile}, K blocked so a panel stays in L1) and multiply them with
 * the packed weights through a {@link MicroKernel}. Full tiles of a dense phase write straight into y; the
 * rest go through a small per-thread tile and are scattered. Pre-padding and lhs dilation never get
 * materialised: the gather reads the source tables, copying whole contiguous runs where it can.
 */
final class TiledConv implements PreparedConv {
    private static final int MAX_PANELS_PER_TILE = 4;

    private final ConvPlan plan;
    private final MicroKernel kernel;
    private final ThreadLocal<Workspace> workspaces;
    private final int maxDepthBlock;
    private final int[] tileWidth;
    private final int[] itemGroup;
    private final int[] itemPhase;
    private final int[] itemTile;

    TiledConv(ConvGeometry g, float[] weight, float[] bias, MicroKernel kernel, ThreadLocal<Workspace> workspaces,
              int maxDepthBlock) {
        this.plan = new ConvPlan(g, weight, bias, kernel.rows());
        this.kernel = kernel;
        this.workspaces = workspaces;
        this.maxDepthBlock = maxDepthBlock;
        int w = kernel.width();
        ConvPlan.Phase[] phases = plan.phases;
        tileWidth = new int[phases.length];
        int items = 0;
        for (int p = 0; p < phases.length; p++) {
            int panels = Math.min(MAX_PANELS_PER_TILE, (phases[p].positions + w - 1) / w);
            tileWidth[p] = panels * w;
            items += plan.groups * ((phases[p].positions + tileWidth[p] - 1) / tileWidth[p]);
        }
        itemGroup = new int[items];
        itemPhase = new int[items];
        itemTile = new int[items];
        int i = 0;
        for (int grp = 0; grp < plan.groups; grp++) {
            for (int p = 0; p < phases.length; p++) {
                int tiles = (phases[p].positions + tileWidth[p] - 1) / tileWidth[p];
                for (int t = 0; t < tiles; t++) {
                    itemGroup[i] = grp;
                    itemPhase[i] = p;
                    itemTile[i] = t;
                    i++;
                }
            }
        }
    }

    @Override public ConvGeometry geometry() { return plan.geometry; }

    @Override public void run(float[] x, float[] y, int batch, int threads) {
        int perSample = itemGroup.length;
        WorkPool.forEach(batch * perSample, threads, item -> {
            int b = item / perSample;
            int i = item % perSample;
            runItem(x, y, b, itemGroup[i], itemPhase[i], itemTile[i], workspaces.get());
        });
    }

    private void runItem(float[] x, float[] y, int b, int grp, int phaseIndex, int tile, Workspace ws) {
        ConvPlan p = plan;
        ConvPlan.Phase ph = p.phases[phaseIndex];
        int w = kernel.width();
        int rows = kernel.rows();
        int nc = tileWidth[phaseIndex];
        int p0 = tile * nc;
        int valid = Math.min(nc, ph.positions - p0);
        int panels = (valid + w - 1) / w;
        boolean direct = ph.wholeGrid && valid == panels * w;
        int segments = buildSegments(ph, p0, valid, w, ws);
        int yBase = (b * p.outChannels + grp * p.outPerGroup) * p.outSize;
        int xBase = (b * p.inChannels + grp * p.inPerGroup) * p.inSize;
        int depth = ph.depth;
        int biasBase = grp * p.outPerGroup;
        if (depth == 0) {
            writeBiasOnly(y, yBase, valid, biasBase, ws);
            return;
        }
        int depthBlocks = (depth + maxDepthBlock - 1) / maxDepthBlock;
        int kcStep = (depth + depthBlocks - 1) / depthBlocks;
        float[] patches = ws.patches(kcStep * panels * w);
        float[] c;
        int cBase;
        int ldc;
        if (direct) {
            c = y;
            cBase = yBase + p0;
            ldc = p.outSize;
        } else {
            ldc = panels * w;
            c = ws.outTile(p.outPerGroup * ldc);
            cBase = 0;
        }
        float[] a = ph.packed[grp];
        for (int kb = 0; kb < depthBlocks; kb++) {
            int k0 = kb * kcStep;
            int kc = Math.min(kcStep, depth - k0);
            gather(x, xBase, ph, k0, kc, patches, w, segments, ws);
            for (int pn = 0; pn < panels; pn++) {
                for (int mb = 0; mb < p.mBlocks; mb++) {
                    int validRows = Math.min(rows, p.outPerGroup - mb * rows);
                    kernel.run(a, (mb * depth + k0) * rows, patches, pn * kc * w, kc, c,
                            cBase + mb * rows * ldc + pn * w, ldc, validRows, p.bias, biasBase + mb * rows, kb == 0);
                }
            }
        }
        if (!direct) {
            int[] outPos = ws.outPos;
            for (int co = 0; co < p.outPerGroup; co++) {
                int yRow = yBase + co * p.outSize;
                int cRow = co * ldc;
                for (int j = 0; j < valid; j++) y[yRow + outPos[j]] = c[cRow + j];
            }
        }
    }

    private void writeBiasOnly(float[] y, int yBase, int valid, int biasBase, Workspace ws) {
        for (int co = 0; co < plan.outPerGroup; co++) {
            float v = plan.bias == null ? 0f : plan.bias[biasBase + co];
            int yRow = yBase + co * plan.outSize;
            for (int j = 0; j < valid; j++) y[yRow + ws.outPos[j]] = v;
        }
    }

    /**
     * Splits positions {@code [p0, p0 + valid)} of the phase grid into runs along the innermost dim that stay
     * within one panel; records each run's outer coordinates and every position's flat output index.
     */
    private int buildSegments(ConvPlan.Phase ph, int p0, int valid, int w, Workspace ws) {
        int n = plan.dims;
        ws.segments(valid, n, valid);
        int[] c = ws.coords;
        int rest = p0;
        for (int d = n - 1; d >= 0; d--) {
            c[d] = rest % ph.count[d];
            rest /= ph.count[d];
        }
        int last = n - 1;
        int innerCount = ph.count[last];
        int innerStride = ph.period[last] * plan.outStrides[last];
        int s = 0;
        int j = 0;
        while (j < valid) {
            int inner = c[last];
            int len = Math.min(Math.min(innerCount - inner, valid - j), w - j % w);
            ws.segStart[s] = j;
            ws.segLen[s] = len;
            ws.segInner[s] = inner;
            int base = 0;
            for (int d = 0; d < last; d++) {
                ws.segOuter[s * last + d] = c[d];
                base += (ph.residue[d] + ph.period[d] * c[d]) * plan.outStrides[d];
            }
            base += (ph.residue[last] + ph.period[last] * inner) * plan.outStrides[last];
            for (int i = 0; i < len; i++) ws.outPos[j + i] = base + i * innerStride;
            j += len;
            s++;
            c[last] += len;
            for (int d = last; d > 0 && c[d] == ph.count[d]; d--) {
                c[d] = 0;
                c[d - 1]++;
            }
        }
        return s;
    }

    /** Patch rows {@code [k0, k0 + kc)} of the tile into {@code [panel][k][w]}. */
    private void gather(float[] x, int xBase, ConvPlan.Phase ph, int k0, int kc, float[] patches, int w,
                        int segments, Workspace ws) {
        int n = plan.dims;
        int last = n - 1;
        int step = ph.runStep;
        for (int kl = 0; kl < kc; kl++) {
            int k = k0 + kl;
            int ci = k / ph.tapCount;
            int t = k - ci * ph.tapCount;
            int chanBase = xBase + ci * plan.inSize;
            int ti = ph.tapOf[t * n + last];
            int[] src = ph.source[last][ti];
            int lo = ph.runLo[ti];
            int hi = ph.runHi[ti];
            for (int s = 0; s < segments; s++) {
                int j = ws.segStart[s];
                int len = ws.segLen[s];
                int dst = (j / w) * kc * w + kl * w + (j % w);
                int off = chanBase;
                boolean zero = false;
                for (int d = 0; d < last; d++) {
                    int si = ph.source[d][ph.tapOf[t * n + d]][ws.segOuter[s * last + d]];
                    if (si < 0) {
                        zero = true;
                        break;
                    }
                    off += si * plan.inStrides[d];
                }
                if (zero) {
                    Arrays.fill(patches, dst, dst + len, 0f);
                } else {
                    copyRun(x, off, src, lo, hi, step, ws.segInner[s], len, patches, dst);
                }
            }
        }
    }

    private static void copyRun(float[] x, int off, int[] src, int lo, int hi, int step, int q, int len,
                                float[] out, int dst) {
        int end = q + len;
        int before = Math.min(end, lo);
        for (; q < before; q++) {
            int s = src[q];
            out[dst++] = s < 0 ? 0f : x[off + s];
        }
        int runEnd = Math.min(end, hi);
        if (q < runEnd) {
            int cnt = runEnd - q;
            int start = off + src[lo] + (q - lo) * step;
            if (step == 1) {
                System.arraycopy(x, start, out, dst, cnt);
            } else {
                for (int i = 0; i < cnt; i++) out[dst + i] = x[start + i * step];
            }
            dst += cnt;
            q = runEnd;
        }
        for (; q < end; q++) {
            int s = src[q];
            out[dst++] = s < 0 ? 0f : x[off + s];
        }
    }
}
