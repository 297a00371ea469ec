package io.convjob.fast;

import io.convjob.engine.PreparedConv;
import io.convjob.shape.ConvGeometry;

/**
 * Convolution vectorized over output channels ({@link ChannelBlockKernel}): for layers whose output rows are short
 * or strided, where {@link DirectConv}'s vectors along output positions waste lanes and need an even/odd split of
 * the input. Each sample's input is copied once into its padded ("virtual") form, {@code [channel][virtual
 * coordinates]} with every padding mode resolved ({@link ConvGeometry#sourceIndex}); an output position then reads
 * tap t of channel c at one fixed offset, {@code kOff[c, t] + pos[p]}, whatever the stride or dilation. Tiles of
 * 6 or 12 positions x 64 or 32 output channels (at 512 bits) are summed over all of K in registers, then written
 * into the NCHW output by a transpose of the finished tile.
 */
final class ChannelBlockConv implements PreparedConv {
    /** Output positions per work item at most: the tiles of an item share each block of weights loaded into L1. */
    private static final int MAX_CHUNK = 96;
    /** Weights per depth block, in bytes: a block of K is summed over all tiles of an item while it stays in L1. */
    private static final int DEPTH_BLOCK_BYTES = 32 << 10;

    private final ConvGeometry g;
    private final ChannelBlockKernel kernel;
    private final ThreadLocal<Workspace> workspaces;
    /** Vectors of output channels per tile (4 or 2) and positions per tile (6 or 12). */
    private final int vectors;
    private final int tilePositions;
    /** Output channels per block: {@code vectors * lanes}. */
    private final int width;
    private final int blocks;
    private final int depth;
    private final int inSize;
    private final int outSize;
    private final int chunks;
    /** Positions per work item (a multiple of 12, so of both tile widths) and depth rows per block of K. */
    private final int chunk;
    private final int depthBlock;
    private final int channelSize;
    /** Per group: weights {@code [block][k = ci * taps + t][width]}, zero past the group's channels. */
    private final float[][] packed;
    /** Per group: bias {@code [block][width]}, zero where absent. */
    private final float[][] bias;
    /** Per group: virtual-input offset of depth row k (its channel and tap) at position 0. */
    private final int[][] kOff;
    /** Per output position (flat, C order): its virtual-input offset; padded to whole tiles with the last one. */
    private final int[] pos;
    /** Per line of the virtual input (all dims but the innermost): input offset within a channel, or -1 (zeros). */
    private final int[] lineSource;
    private final int lineLength;
    /** The innermost dim's longest contiguous run: virtual {@code [runLo, runLo + runLength)} from input runSource. */
    private final int runLo;
    private final int runLength;
    private final int runSource;
    /** Innermost virtual coordinates outside the run that read an input element, and which. */
    private final int[] edgeAt;
    private final int[] edgeSource;

    /**
     * Whether this path should run the layer at {@code lanes} floats per vector: no lhs dilation (transposed convs
     * keep their phases), at least two vectors of output channels per group, and strided output rows that
     * DirectConv's tiles fill badly: shorter than its two-vector tile and not a whole vector. Measured against
     * DirectConv (same JVM, alternating, 512 bits, 1 thread, CPU time): 3x3 s2 with 14-wide output rows 1.10-1.14x
     * (128 and 64 channels); 7-wide 1.04x; 16-wide 0.99x and 32-wide 0.94-0.96x (excluded); the 7x7 s2 stem
     * (112-wide, 3 input channels) 0.65x and the stride-1 c3d 0.84x (excluded).
     */
    static boolean suits(ConvGeometry g, int lanes) {
        int n = g.spatialDims();
        if (n == 0 || g.emptyOutput() || g.outPerGroup() < 2 * lanes) return false;
        for (int d = 0; d < n; d++) {
            if (g.lhsDilation()[d] != 1) return false;
        }
        long virtual = g.inChannels();
        for (int[] map : g.sourceIndex()) virtual *= map.length;
        if (virtual > DirectConv.MAX_SPLIT_FLOATS) return false;
        int row = g.outShape()[n - 1];
        return g.stride()[n - 1] > 1 && row < 2 * lanes && row % lanes != 0;
    }

    ChannelBlockConv(ConvGeometry g, float[] weight, float[] biasValues, ChannelBlockKernel kernel,
                     ThreadLocal<Workspace> workspaces) {
        this(g, weight, biasValues, kernel, workspaces, tileVectors(g.outPerGroup(), kernel.lanes()), 0);
    }

    /** Four vectors of channels per tile unless that pads the last block with more unused channels than two would. */
    private static int tileVectors(int outPerGroup, int lanes) {
        return roundUp(outPerGroup, 4 * lanes) <= roundUp(outPerGroup, 2 * lanes) ? 4 : 2;
    }

    /**
     * @param vectors    vectors of output channels per tile: 4 (x 6 positions) or 2 (x 12 positions)
     * @param depthBlock depth rows summed per pass over an item's tiles, or 0 for the L1-sized default
     */
    ChannelBlockConv(ConvGeometry g, float[] weight, float[] biasValues, ChannelBlockKernel kernel,
                     ThreadLocal<Workspace> workspaces, int vectors, int depthBlock) {
        if (vectors != 4 && vectors != 2) throw new IllegalArgumentException("vectors must be 4 or 2, got " + vectors);
        this.g = g;
        this.kernel = kernel;
        this.workspaces = workspaces;
        int lanes = kernel.lanes();
        int outPer = g.outPerGroup();
        int inPer = g.inPerGroup();
        this.vectors = vectors;
        this.tilePositions = vectors == 4 ? 6 : 12;
        this.width = vectors * lanes;
        this.blocks = (outPer + width - 1) / width;
        int taps = (int) g.kernelSize();
        this.depth = inPer * taps;
        this.inSize = Math.toIntExact(g.inSpatialSize());
        this.outSize = Math.toIntExact(g.outSpatialSize());
        this.chunks = (outSize + MAX_CHUNK - 1) / MAX_CHUNK;
        this.chunk = roundUp((outSize + chunks - 1) / chunks, 12);
        this.depthBlock = depthBlock > 0 ? depthBlock : Math.max(1, DEPTH_BLOCK_BYTES / (4 * width));
        int n = g.spatialDims();
        int[][] maps = g.sourceIndex();
        int[] extent = new int[n];
        for (int d = 0; d < n; d++) extent[d] = maps[d].length;
        int[] virtualStrides = ConvGeometry.strides(extent);
        int[] inStrides = ConvGeometry.strides(g.inShape());
        this.channelSize = Math.toIntExact(ConvGeometry.product(extent));

        int[] tapOff = new int[taps];
        int[] kernelIndex = new int[n];
        for (int t = 0; t < taps; t++) {
            int off = 0;
            for (int d = 0; d < n; d++) off += kernelIndex[d] * g.dilation()[d] * virtualStrides[d];
            tapOff[t] = off;
            increment(kernelIndex, g.kernel());
        }
        this.kOff = new int[g.groups()][depth];
        this.packed = new float[g.groups()][blocks * depth * width];
        this.bias = new float[g.groups()][blocks * width];
        for (int grp = 0; grp < g.groups(); grp++) {
            for (int ci = 0; ci < inPer; ci++) {
                for (int t = 0; t < taps; t++) kOff[grp][ci * taps + t] = (grp * inPer + ci) * channelSize + tapOff[t];
            }
            for (int co = 0; co < outPer; co++) {
                int blk = co / width;
                int lane = co % width;
                int oc = grp * outPer + co;
                if (biasValues != null) bias[grp][blk * width + lane] = biasValues[oc];
                for (int k = 0; k < depth; k++) {
                    packed[grp][(blk * depth + k) * width + lane] = weight[oc * depth + k];
                }
            }
        }

        this.pos = new int[roundUp(outSize, tilePositions)];
        int[] outIndex = new int[n];
        for (int p = 0; p < outSize; p++) {
            int off = 0;
            for (int d = 0; d < n; d++) off += outIndex[d] * g.stride()[d] * virtualStrides[d];
            pos[p] = off;
            increment(outIndex, g.outShape());
        }
        for (int p = outSize; p < pos.length; p++) pos[p] = pos[outSize - 1];

        this.lineLength = extent[n - 1];
        int lines = channelSize / lineLength;
        this.lineSource = new int[lines];
        int[] u = new int[n];
        for (int line = 0; line < lines; line++) {
            int off = 0;
            for (int d = 0; d < n - 1 && off >= 0; d++) {
                int idx = maps[d][u[d]];
                off = idx < 0 ? -1 : off + idx * inStrides[d];
            }
            lineSource[line] = off;
            for (int d = n - 2; d >= 0 && ++u[d] == extent[d]; d--) u[d] = 0;
        }
        int[] inner = maps[n - 1];
        int[] run = SourceRuns.longest(inner, 1);
        this.runLo = run[0];
        this.runLength = run[1] - run[0];
        this.runSource = runLength > 0 ? inner[runLo] : 0;
        int edges = 0;
        int[] at = new int[inner.length];
        int[] source = new int[inner.length];
        for (int v = 0; v < inner.length; v++) {
            if (inner[v] >= 0 && (v < run[0] || v >= run[1])) {
                at[edges] = v;
                source[edges++] = inner[v];
            }
        }
        this.edgeAt = java.util.Arrays.copyOf(at, edges);
        this.edgeSource = java.util.Arrays.copyOf(source, edges);
    }

    private static int roundUp(int value, int multiple) {
        return (value + multiple - 1) / multiple * multiple;
    }

    /** The next index of {@code shape} in C order (wrapping to zeros after the last). */
    private static void increment(int[] index, int[] shape) {
        for (int d = shape.length - 1; d >= 0 && ++index[d] == shape[d]; d--) index[d] = 0;
    }

    @Override public ConvGeometry geometry() { return g; }

    @Override public void run(float[] x, float[] y, int batch, int threads) {
        int perSample = g.groups() * blocks * chunks;
        int bufferSize = g.inChannels() * channelSize;
        // whole samples per thread, each into the thread's own virtual input, in full rounds; the few samples left
        // (fewer than threads) one at a time, their input filled and their items computed by all threads
        int whole = threads <= 1 ? batch : batch - batch % threads;
        WorkPool.forEach(whole, threads, b -> {
            Workspace ws = workspaces.get();
            float[] s = ws.split(this, bufferSize);
            for (int ci = 0; ci < g.inChannels(); ci++) fillChannel(x, (b * g.inChannels() + ci) * inSize, s, ci);
            for (int item = 0; item < perSample; item++) computeItem(s, y, b, item, ws);
        });
        for (int b = whole; b < batch; b++) {
            int sample = b;
            float[] s = workspaces.get().split(this, bufferSize);
            WorkPool.forEach(g.inChannels(), threads, ci -> fillChannel(x, (sample * g.inChannels() + ci) * inSize,
                    s, ci));
            WorkPool.forEach(perSample, threads, item -> computeItem(s, y, sample, item, workspaces.get()));
        }
    }

    /**
     * Channel {@code ci} of the input at {@code x[xc..]} into its virtual form in {@code s}. Positions that read zero
     * are never written: the buffer ({@link Workspace#split}, one per layer) holds zeros there.
     */
    private void fillChannel(float[] x, int xc, float[] s, int ci) {
        int dst = ci * channelSize;
        for (int line = 0; line < lineSource.length; line++, dst += lineLength) {
            int src = lineSource[line];
            if (src < 0) continue;
            src += xc;
            if (runLength > 0) System.arraycopy(x, src + runSource, s, dst + runLo, runLength);
            for (int e = 0; e < edgeAt.length; e++) s[dst + edgeAt[e]] = x[src + edgeSource[e]];
        }
    }

    /**
     * Item {@code (group, block, chunk)} of sample b: its tiles start from the bias and sum K block by block (each
     * block's weights reused by every tile while in L1), then the finished tiles are transposed into y.
     */
    private void computeItem(float[] s, float[] y, int b, int item, Workspace ws) {
        int c = item % chunks;
        int blk = item / chunks % blocks;
        int grp = item / (chunks * blocks);
        int p0 = c * chunk;
        int count = Math.min(chunk, outSize - p0);
        int tiled = roundUp(count, tilePositions);
        float[] tile = ws.outTile(chunk * width);
        float[] bs = bias[grp];
        for (int j = 0; j < tiled; j++) System.arraycopy(bs, blk * width, tile, j * width, width);
        float[] w = packed[grp];
        int wOff = blk * depth * width;
        int[] k = kOff[grp];
        for (int k0 = 0; k0 < depth; k0 += depthBlock) {
            int k1 = Math.min(depth, k0 + depthBlock);
            if (vectors == 4) {
                for (int j = 0; j < tiled; j += tilePositions) {
                    kernel.tile4x6(w, wOff, s, k, k0, k1, pos, p0 + j, tile, j * width);
                }
            } else {
                for (int j = 0; j < tiled; j += tilePositions) {
                    kernel.tile2x12(w, wOff, s, k, k0, k1, pos, p0 + j, tile, j * width);
                }
            }
        }
        int validChannels = Math.min(width, g.outPerGroup() - blk * width);
        int yBase = (b * g.outChannels() + grp * g.outPerGroup() + blk * width) * outSize + p0;
        for (int oc = 0; oc < validChannels; oc++) {
            int yr = yBase + oc * outSize;
            for (int j = 0; j < count; j++) y[yr + j] = tile[j * width + oc];
        }
    }
}
