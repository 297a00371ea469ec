package io.convjob.fast;

import io.convjob.engine.PreparedConv;
import io.convjob.shape.ConvGeometry;

/**
 * Convolution vectorized over output channels ({@link ChannelBlockKernel}): for layers whose output rows are short
 * or strided, where {@link DirectConv}'s vectors along output positions waste lanes and need an even/odd split of
 * the input. Each sample's input is copied once into its padded ("virtual") form, channel innermost, {@code [virtual
 * coordinates][channel]}, with every padding mode resolved ({@link ConvGeometry#sourceIndex}); an output position
 * then reads tap t of channel c at {@code tapOff[t] + pos[p] + c}, whatever the stride or dilation, and the kernel's
 * innermost loop runs over channels at consecutive addresses. Tiles of 6 or 12 positions x 64 or 32 output channels
 * (at 512 bits) are summed over all of K in registers, then written into the NCHW output by a transpose of the
 * finished tile.
 */
final class ChannelBlockConv implements PreparedConv {
    /** Output positions per work item at most: the tiles of an item share each block of weights loaded into L1. */
    private static final int MAX_CHUNK = 96;
    /** Weights per depth block, in bytes: a block of K is summed over all tiles of an item while it stays in L1. */
    private static final int DEPTH_BLOCK_BYTES = 32 << 10;
    /**
     * Input channels copied together into the channel-innermost buffer: their rows are read in step, each
     * sequentially (8 and 16 measured alike).
     */
    private static final int FILL_GROUP = 8;

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
    /** Positions per work item (a multiple of 12, so of every tile width). */
    private final int chunk;
    /**
     * Blocks of K as segments of runs (a run: depth rows whose inputs are consecutive floats; a segment: the run's
     * first tap and a range of its rows): block d is segments {@code [blockStart[d], blockStart[d + 1])} ({@link
     * #depthBlocks}).
     */
    private final int[] blockStart;
    private final int[] segmentTap;
    private final int[] segmentFrom;
    private final int[] segmentTo;
    private final int inChannels;
    /** Points of the virtual input (per channel). */
    private final int virtualSize;
    /** Per group: weights {@code [block][k = t * inPerGroup + ci][width]}, zero past the group's channels. */
    private final float[][] packed;
    /** Per group: bias {@code [block][width]}, zero where absent. */
    private final float[][] bias;
    /** Per group: virtual-input offset of tap t's point for position 0 at the group's first channel. */
    private final int[][] tapOff;
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
     * DirectConv's tiles fill badly: not a whole vector, and shorter than its two-vector tile at 256 and 512 bits, or
     * than six vectors at 128 bits (four lanes: DirectConv's even/odd split costs more per output there) and with 16
     * vector registers. Measured
     * against DirectConv (same JVM, alternating, 1 thread, CPU time), 3x3 s2: at 512 bits 14-wide output rows
     * 1.10-1.14x (128 and 64 channels), 7-wide 1.04x, 16-wide 0.99x and 32-wide 0.94-0.96x (excluded); at 256 bits
     * 14-wide 1.08x, 22-wide 1.02x (excluded, a tie) and 28-wide 0.99x; at 128 bits 14-wide 1.08x, 15- and
     * 22-wide 1.06x (128 channels) and 1.04x (64), 16-wide 1.00x (excluded). With 16 vector registers (AVX2, 2x6
     * tiles) also up to six vectors: 22- and 28-wide 2.52x at 256 bits. The 7x7 s2 stem (112-wide, 3 input
     * channels) 0.65x and the stride-1 c3d 0.84x (excluded) at 512 bits.
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
        int longest = lanes <= 4 || SIXTEEN_VECTOR_REGISTERS ? 6 * lanes : 2 * lanes;
        return g.stride()[n - 1] > 1 && row < longest && row % lanes != 0;
    }

    ChannelBlockConv(ConvGeometry g, float[] weight, float[] biasValues, ChannelBlockKernel kernel,
                     ThreadLocal<Workspace> workspaces) {
        this(g, weight, biasValues, kernel, workspaces, tileVectors(g.outPerGroup(), kernel.lanes()),
                tilePositions(tileVectors(g.outPerGroup(), kernel.lanes())), 0);
    }

    /**
     * With 16 vector registers ({@link VectorRegisters#SIXTEEN}) the 24 accumulators of the larger tiles spill
     * (measured with -XX:UseAVX=2 on the 3x3s2 row: 4x6 tiles at 49% of the 256-bit FMA peak), so tiles are 2 vectors
     * x 6 positions (12 accumulators, 2 weight vectors, 1 broadcast).
     */
    static final boolean SIXTEEN_VECTOR_REGISTERS = VectorRegisters.SIXTEEN;

    /**
     * Four vectors of channels per tile unless that pads the last block with more unused channels than two would;
     * two with 16 vector registers.
     */
    private static int tileVectors(int outPerGroup, int lanes) {
        if (SIXTEEN_VECTOR_REGISTERS) return 2;
        return roundUp(outPerGroup, 4 * lanes) <= roundUp(outPerGroup, 2 * lanes) ? 4 : 2;
    }

    /** 24 accumulators (4 x 6 or 2 x 12), or 12 (2 x 6) with 16 vector registers. */
    private static int tilePositions(int vectors) {
        return vectors == 4 || SIXTEEN_VECTOR_REGISTERS ? 6 : 12;
    }

    /**
     * @param vectors    vectors of output channels per tile
     * @param positions  positions per tile: 4 x 6, 2 x 12 or 2 x 6
     * @param depthBlock depth rows summed per pass over an item's tiles, or 0 for the L1-sized default
     */
    ChannelBlockConv(ConvGeometry g, float[] weight, float[] biasValues, ChannelBlockKernel kernel,
                     ThreadLocal<Workspace> workspaces, int vectors, int positions, int depthBlock) {
        if (!(vectors == 4 && positions == 6 || vectors == 2 && (positions == 12 || positions == 6))) {
            throw new IllegalArgumentException("tiles are 4 x 6, 2 x 12 or 2 x 6, got " + vectors + " x " + positions);
        }
        this.g = g;
        this.kernel = kernel;
        this.workspaces = workspaces;
        int lanes = kernel.lanes();
        int outPer = g.outPerGroup();
        int inPer = g.inPerGroup();
        this.vectors = vectors;
        this.tilePositions = positions;
        this.width = vectors * lanes;
        this.blocks = (outPer + width - 1) / width;
        int taps = (int) g.kernelSize();
        this.depth = inPer * taps;
        this.inSize = Math.toIntExact(g.inSpatialSize());
        this.outSize = Math.toIntExact(g.outSpatialSize());
        this.chunks = (outSize + MAX_CHUNK - 1) / MAX_CHUNK;
        this.chunk = roundUp((outSize + chunks - 1) / chunks, 12);
        // a run: depth rows whose inputs are consecutive floats, so one kernel call sums them. With one group and no
        // dilation along the innermost dim, the taps along it read consecutive points, each all channels: one run;
        // otherwise one tap's channels
        int innermost = g.spatialDims() - 1;
        int runTaps = innermost >= 0 && g.groups() == 1 && g.dilation()[innermost] == 1 ? g.kernel()[innermost] : 1;
        int[][] depthBlocks = depthBlocks(taps / runTaps, runTaps, runTaps * inPer,
                depthBlock > 0 ? depthBlock : Math.max(1, DEPTH_BLOCK_BYTES / (4 * width)));
        this.blockStart = depthBlocks[0];
        this.segmentTap = depthBlocks[1];
        this.segmentFrom = depthBlocks[2];
        this.segmentTo = depthBlocks[3];
        this.inChannels = g.inChannels();
        int n = g.spatialDims();
        int[][] maps = g.sourceIndex();
        int[] extent = new int[n];
        for (int d = 0; d < n; d++) extent[d] = maps[d].length;
        int[] virtualStrides = ConvGeometry.strides(extent);
        int[] inStrides = ConvGeometry.strides(g.inShape());
        this.virtualSize = Math.toIntExact(ConvGeometry.product(extent));

        int[] tapPoint = new int[taps];
        int[] kernelIndex = new int[n];
        for (int t = 0; t < taps; t++) {
            int off = 0;
            for (int d = 0; d < n; d++) off += kernelIndex[d] * g.dilation()[d] * virtualStrides[d];
            tapPoint[t] = off;
            increment(kernelIndex, g.kernel());
        }
        this.tapOff = new int[g.groups()][taps];
        this.packed = new float[g.groups()][blocks * depth * width];
        this.bias = new float[g.groups()][blocks * width];
        for (int grp = 0; grp < g.groups(); grp++) {
            for (int t = 0; t < taps; t++) tapOff[grp][t] = tapPoint[t] * inChannels + grp * inPer;
            for (int co = 0; co < outPer; co++) {
                int blk = co / width;
                int lane = co % width;
                int oc = grp * outPer + co;
                if (biasValues != null) bias[grp][blk * width + lane] = biasValues[oc];
                for (int ci = 0; ci < inPer; ci++) {
                    for (int t = 0; t < taps; t++) {
                        packed[grp][(blk * depth + t * inPer + ci) * width + lane] = weight[oc * depth + ci * taps + t];
                    }
                }
            }
        }

        this.pos = new int[roundUp(outSize, tilePositions)];
        int[] outIndex = new int[n];
        for (int p = 0; p < outSize; p++) {
            int off = 0;
            for (int d = 0; d < n; d++) off += outIndex[d] * g.stride()[d] * virtualStrides[d];
            pos[p] = off * inChannels;
            increment(outIndex, g.outShape());
        }
        for (int p = outSize; p < pos.length; p++) pos[p] = pos[outSize - 1];

        this.lineLength = extent[n - 1];
        int lines = virtualSize / lineLength;
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

    /**
     * Blocks of K of about {@code rows} depth rows each, as segments of one run (its first tap, a range of its rows):
     * {blockStart (one more entry than blocks), segmentTap, segmentFrom, segmentTo}. A run of at least {@code rows}
     * rows is split into blocks; shorter runs are grouped whole, as many per block as fit.
     */
    private static int[][] depthBlocks(int runs, int runTaps, int runLength, int rows) {
        java.util.List<int[]> segments = new java.util.ArrayList<>();
        java.util.List<Integer> starts = new java.util.ArrayList<>();
        int runsPerBlock = Math.max(1, rows / runLength);
        for (int r = 0; r < runs; r++) {
            for (int c = 0; c < runLength; c += rows) {
                if (c > 0 || r % runsPerBlock == 0) starts.add(segments.size());
                segments.add(new int[] {r * runTaps, c, Math.min(runLength, c + rows)});
            }
        }
        starts.add(segments.size());
        int[][] out = new int[4][];
        out[0] = starts.stream().mapToInt(Integer::intValue).toArray();
        for (int f = 0; f < 3; f++) {
            out[f + 1] = new int[segments.size()];
            for (int i = 0; i < segments.size(); i++) out[f + 1][i] = segments.get(i)[f];
        }
        return out;
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
        int bufferSize = inChannels * virtualSize;
        int fillGroups = (inChannels + FILL_GROUP - 1) / FILL_GROUP;
        // whole samples per thread, each into the thread's own virtual input, in full rounds; the few samples left
        // (fewer than threads) one at a time, their input filled and their items computed by all threads
        int whole = threads <= 1 ? batch : batch - batch % threads;
        WorkPool.forEach(whole, threads, b -> {
            Workspace ws = workspaces.get();
            float[] s = ws.split(this, bufferSize);
            for (int cg = 0; cg < fillGroups; cg++) fillChannels(x, b * inChannels * inSize, s, cg);
            for (int item = 0; item < perSample; item++) computeItem(s, y, b, item, ws);
        });
        for (int b = whole; b < batch; b++) {
            int sample = b;
            float[] s = workspaces.get().split(this, bufferSize);
            WorkPool.forEach(fillGroups, threads, cg -> fillChannels(x, sample * inChannels * inSize, s, cg));
            WorkPool.forEach(perSample, threads, item -> computeItem(s, y, sample, item, workspaces.get()));
        }
    }

    /**
     * Channels {@code [cg * FILL_GROUP, ...)} of the sample at {@code x[xs..]} into the virtual input {@code s},
     * channel innermost: a whole group's rows are read in step, each sequentially (point by point across all channels
     * instead, every read is on another page: that fill cost about 1.4x this one); a part group (the last channels) one
     * channel at a time. Points that read zero are never written: the buffer ({@link
     * Workspace#split}, one per layer) holds zeros there.
     */
    private void fillChannels(float[] x, int xs, float[] s, int cg) {
        int channels = inChannels;
        int c0 = cg * FILL_GROUP;
        if (c0 + FILL_GROUP > channels) {
            for (int ci = c0; ci < channels; ci++) fillChannel(x, xs, s, ci);
            return;
        }
        for (int line = 0; line < lineSource.length; line++) {
            int src = lineSource[line];
            if (src < 0) continue;
            int first = line * lineLength;
            if (runLength > 0) {
                int f0 = xs + c0 * inSize + src + runSource;
                int f1 = f0 + inSize;
                int f2 = f1 + inSize;
                int f3 = f2 + inSize;
                int f4 = f3 + inSize;
                int f5 = f4 + inSize;
                int f6 = f5 + inSize;
                int f7 = f6 + inSize;
                int to = (first + runLo) * channels + c0;
                for (int v = 0; v < runLength; v++) {
                    int d = to + v * channels;
                    s[d + 0] = x[f0 + v];
                    s[d + 1] = x[f1 + v];
                    s[d + 2] = x[f2 + v];
                    s[d + 3] = x[f3 + v];
                    s[d + 4] = x[f4 + v];
                    s[d + 5] = x[f5 + v];
                    s[d + 6] = x[f6 + v];
                    s[d + 7] = x[f7 + v];
                }
            }
            for (int e = 0; e < edgeAt.length; e++) {
                int d = (first + edgeAt[e]) * channels + c0;
                int f = xs + c0 * inSize + src + edgeSource[e];
                for (int k = 0; k < FILL_GROUP; k++) s[d + k] = x[f + k * inSize];
            }
        }
    }

    /** Channel ci alone, as {@link #fillChannels}. */
    private void fillChannel(float[] x, int xs, float[] s, int ci) {
        int channels = inChannels;
        for (int line = 0; line < lineSource.length; line++) {
            int src = lineSource[line];
            if (src < 0) continue;
            int first = line * lineLength;
            int f = xs + ci * inSize + src;
            int to = (first + runLo) * channels + ci;
            for (int v = 0; v < runLength; v++) s[to + v * channels] = x[f + runSource + v];
            for (int e = 0; e < edgeAt.length; e++) s[(first + edgeAt[e]) * channels + ci] = x[f + edgeSource[e]];
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
        int[] taps = tapOff[grp];
        int tapRows = g.inPerGroup() * width;
        for (int d = 0; d + 1 < blockStart.length; d++) {
            for (int j = 0; j < tiled; j += tilePositions) {
                for (int sg = blockStart[d]; sg < blockStart[d + 1]; sg++) {
                    int t = segmentTap[sg];
                    if (vectors == 4) {
                        kernel.tile4x6(w, wOff + t * tapRows, s, taps[t], segmentFrom[sg], segmentTo[sg], pos, p0 + j,
                                tile, j * width);
                    } else if (tilePositions == 6) {
                        kernel.tile2x6(w, wOff + t * tapRows, s, taps[t], segmentFrom[sg], segmentTo[sg], pos, p0 + j,
                                tile, j * width);
                    } else {
                        kernel.tile2x12(w, wOff + t * tapRows, s, taps[t], segmentFrom[sg], segmentTo[sg], pos,
                                p0 + j, tile, j * width);
                    }
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
