package io.convjob.fast;

import io.convjob.engine.PreparedConv;
import io.convjob.shape.ConvGeometry;

/**
 * Convolution of 3-tap, stride-2 rows read in place from the NCHW input ({@link StridedRowKernel}): vectors run
 * along output channels, and a tile of 7 output positions of one row reads 15 consecutive floats of one input row
 * per input channel, so no copy of the input is made (the channel-block path's transposing copy cost 15-25% of its
 * time on the 3x3 s2 layer). The innermost dim must read its input in place: stride 2, 3 taps, no dilation, output
 * rows a multiple of 7, and at most its first virtual column outside the input (a zero: that tile skips it). Every
 * other dim may have any stride, kernel size, dilation and padding mode: a tap of those dims picks an input row, or
 * none (zeros, skipped). Output channels run in blocks of 2 vectors; each item (block, run of output rows) starts
 * from the bias, sums the input channels in depth blocks whose weights stay in L1 while every tile of the item uses
 * them, and is then transposed into the NCHW output.
 */
final class StridedRowConv implements PreparedConv {
    /** Positions per work item at most: its tiles share each depth block of weights loaded into L1. */
    private static final int MAX_CHUNK = 96;
    /** Weights per depth block, in bytes. */
    private static final int DEPTH_BLOCK_BYTES = 24 << 10;
    /** Output positions per tile along the row. */
    static final int TILE = 7;
    private static final int TAPS = 3;
    /** A row tap that reads zeros (padding): skipped. */
    private static final int NO_ROW = Integer.MIN_VALUE;

    private final ConvGeometry g;
    private final StridedRowKernel kernel;
    private final ThreadLocal<Workspace> workspaces;
    private final int width;
    private final int blocks;
    private final int channels;
    private final int inSize;
    private final int outSize;
    private final int rowLength;
    private final int rows;
    /** Taps of all dims but the innermost. */
    private final int rowTaps;
    /** Per (output row, row tap): input offset of the row within a channel, plus the innermost shift; or NO_ROW. */
    private final int[] rowSource;
    /** Whether a row's first tile starts one column left of the input (its first float is never read). */
    private final boolean leftZero;
    private final int rowsPerChunk;
    private final int chunks;
    /** Input channels per depth block. */
    private final int depthChannels;
    /** Weights {@code [block][row tap][ci][kx][width]}, zero past the last output channel. */
    private final float[] packed;
    /** Bias {@code [block][width]}, zero where absent. */
    private final float[] bias;

    /** Input channels at least: with fewer, each kernel call sums too few rows (8: 0.75-0.86x DirectConv). */
    private static final int MIN_CHANNELS = 16;

    /**
     * Whether the engine should run the layer here at {@code lanes} floats per vector: {@link #supports} it, at least
     * {@value #MIN_CHANNELS} input channels, output rows of at most {@value #MAX_CHUNK} positions (an item holds
     * whole rows: a longer one's sums would not stay in L1; measured up to 56), and 32 vector registers (the tile holds 21 vectors; with 16, AVX2, it
     * spilled: 0.49x ChannelBlockConv's 2 x 6 tiles). Measured against the path the layer took before (same JVM,
     * alternating, 1 thread, CPU time), 3x3 s2 pad 1, 512 bits: 128 channels 28x28 1.15-1.19x ChannelBlockConv
     * (1.07-1.22x at 2 threads, wall), 256 on 14x14 1.24x, 512 on 14x14 1.08x; 64 on 56x56 1.31x DirectConv, 128 on
     * 56x56 1.16x, 32 -> 64 on 112x112 1.32x, 16 -> 32 on 112x112 1.37x (3 and 8 input channels: 0.39x and
     * 0.75-0.86x, excluded). At 256 bits with 32 registers: 128 channels 28x28 1.15x ChannelBlockConv, 56x56 1.03x
     * (64 channels) and 1.13x (128) DirectConv, 32 -> 64 on 112x112 1.03x; at 128 bits: 1.09x, 1.04x, 1.11x, 1.01x.
     */
    static boolean suits(ConvGeometry g, int lanes) {
        int n = g.spatialDims();
        return !VectorRegisters.SIXTEEN && g.inChannels() >= MIN_CHANNELS && n > 0
                && g.outShape()[n - 1] <= MAX_CHUNK && supports(g, lanes);
    }

    /**
     * Whether this path can run the layer: one group, no lhs dilation, at least 2 vectors of output channels, and an
     * innermost dim that reads its input in place (see the class comment).
     */
    static boolean supports(ConvGeometry g, int lanes) {
        int n = g.spatialDims();
        if (n == 0 || g.emptyOutput() || g.groups() != 1 || g.outChannels() < 2 * lanes) return false;
        for (int d = 0; d < n; d++) {
            if (g.lhsDilation()[d] != 1) return false;
        }
        int last = n - 1;
        if (g.stride()[last] != 2 || g.kernel()[last] != TAPS || g.dilation()[last] != 1) return false;
        int out = g.outShape()[last];
        if (out % TILE != 0) return false;
        return innermostShift(g.sourceIndex()[last], 2 * (out - 1) + TAPS - 1) != Integer.MIN_VALUE;
    }

    /**
     * The shift s with {@code map[v] == v + s} for every virtual column 1..last, and map[0] either {@code s} too or
     * a zero just left of the input (s == -1); {@link Integer#MIN_VALUE} when there is none.
     */
    private static int innermostShift(int[] map, int last) {
        if (map.length <= last || map[1] < 0) return Integer.MIN_VALUE;
        int shift = map[1] - 1;
        for (int v = 1; v <= last; v++) {
            if (map[v] != v + shift) return Integer.MIN_VALUE;
        }
        if (map[0] == shift || map[0] == -1 && shift == -1) return shift;
        return Integer.MIN_VALUE;
    }

    StridedRowConv(ConvGeometry g, float[] weight, float[] biasValues, StridedRowKernel kernel,
                   ThreadLocal<Workspace> workspaces) {
        this(g, weight, biasValues, kernel, workspaces, 0, 0);
    }

    /**
     * @param depthChannels input channels per depth block, or 0 for the L1-sized default
     * @param rowsPerItem   output rows per work item, or 0 for the default
     */
    StridedRowConv(ConvGeometry g, float[] weight, float[] biasValues, StridedRowKernel kernel,
                   ThreadLocal<Workspace> workspaces, int depthChannels, int rowsPerItem) {
        if (!supports(g, kernel.lanes())) throw new IllegalArgumentException("not a strided-row layer: " + g);
        this.g = g;
        this.kernel = kernel;
        this.workspaces = workspaces;
        int n = g.spatialDims();
        int last = n - 1;
        this.width = 2 * kernel.lanes();
        this.channels = g.inChannels();
        this.blocks = (g.outChannels() + width - 1) / width;
        this.inSize = Math.toIntExact(g.inSpatialSize());
        this.outSize = Math.toIntExact(g.outSpatialSize());
        this.rowLength = g.outShape()[last];
        this.rows = outSize / rowLength;
        int taps = (int) g.kernelSize();
        this.rowTaps = taps / TAPS;
        int[][] maps = g.sourceIndex();
        int shift = innermostShift(maps[last], 2 * (rowLength - 1) + TAPS - 1);
        this.leftZero = maps[last][0] == -1;
        int[] inStrides = ConvGeometry.strides(g.inShape());

        this.rowSource = new int[rows * rowTaps];
        int[] o = new int[n];
        for (int r = 0; r < rows; r++) {
            int[] k = new int[n];
            for (int t = 0; t < rowTaps; t++) {
                int off = shift;
                for (int d = 0; d < last && off != NO_ROW; d++) {
                    int idx = maps[d][o[d] * g.stride()[d] + k[d] * g.dilation()[d]];
                    off = idx < 0 ? NO_ROW : off + idx * inStrides[d];
                }
                rowSource[r * rowTaps + t] = off;
                increment(k, g.kernel(), last);
            }
            increment(o, g.outShape(), last);
        }

        this.depthChannels = depthChannels > 0 ? Math.min(depthChannels, channels)
                : Math.max(1, Math.min(channels, DEPTH_BLOCK_BYTES / (4 * TAPS * width)));
        int perItem = rowsPerItem > 0 ? rowsPerItem : Math.max(1, MAX_CHUNK / rowLength);
        this.chunks = (rows + perItem - 1) / perItem;
        this.rowsPerChunk = (rows + chunks - 1) / chunks;

        int outChannels = g.outChannels();
        this.packed = new float[blocks * rowTaps * channels * TAPS * width];
        this.bias = new float[blocks * width];
        for (int oc = 0; oc < outChannels; oc++) {
            int blk = oc / width;
            int lane = oc % width;
            if (biasValues != null) bias[blk * width + lane] = biasValues[oc];
            for (int ci = 0; ci < channels; ci++) {
                for (int t = 0; t < rowTaps; t++) {
                    for (int kx = 0; kx < TAPS; kx++) {
                        packed[(((blk * rowTaps + t) * channels + ci) * TAPS + kx) * width + lane] =
                                weight[(oc * channels + ci) * taps + t * TAPS + kx];
                    }
                }
            }
        }
    }

    /** The next index of the first {@code dims} dims of {@code shape} in C order. */
    private static void increment(int[] index, int[] shape, int dims) {
        for (int d = dims - 1; d >= 0 && ++index[d] == shape[d]; d--) index[d] = 0;
    }

    @Override public ConvGeometry geometry() { return g; }

    @Override public void run(float[] x, float[] y, int batch, int threads) {
        int perSample = blocks * chunks;
        // whole samples per thread in full rounds; the few samples left (fewer than threads) item by item
        int whole = threads <= 1 ? batch : batch - batch % threads;
        WorkPool.forEach(whole, threads, b -> {
            Workspace ws = workspaces.get();
            for (int item = 0; item < perSample; item++) computeItem(x, y, b, item, ws);
        });
        for (int b = whole; b < batch; b++) {
            int sample = b;
            WorkPool.forEach(perSample, threads, item -> computeItem(x, y, sample, item, workspaces.get()));
        }
    }

    /** Item {@code (block, chunk of rows)} of sample b. */
    private void computeItem(float[] x, float[] y, int b, int item, Workspace ws) {
        int blk = item / chunks;
        int r0 = item % chunks * rowsPerChunk;
        int r1 = Math.min(rows, r0 + rowsPerChunk);
        int positions = (r1 - r0) * rowLength;
        float[] tile = ws.outTile(positions * width);
        for (int p = 0; p < positions; p++) System.arraycopy(bias, blk * width, tile, p * width, width);
        int xs = b * channels * inSize;
        int tileStep = TILE * width;
        int stepFloats = TAPS * width;
        for (int c0 = 0; c0 < channels; c0 += depthChannels) {
            int steps = Math.min(depthChannels, channels - c0);
            for (int t = 0; t < rowTaps; t++) {
                int wOff = ((blk * rowTaps + t) * channels + c0) * stepFloats;
                for (int r = r0; r < r1; r++) {
                    int src = rowSource[r * rowTaps + t];
                    if (src == NO_ROW) continue;
                    int in = xs + c0 * inSize + src;
                    int acc = (r - r0) * rowLength * width;
                    int q = 0;
                    if (leftZero) {
                        kernel.row2x7Left(packed, wOff, x, in, inSize, steps, tile, acc);
                        q = 1;
                    }
                    for (; q < rowLength / TILE; q++) {
                        kernel.row2x7(packed, wOff, x, in + 2 * TILE * q, inSize, steps, tile, acc + q * tileStep);
                    }
                }
            }
        }
        int valid = Math.min(width, g.outChannels() - blk * width);
        int yBase = (b * g.outChannels() + blk * width) * outSize + r0 * rowLength;
        for (int oc = 0; oc < valid; oc++) {
            int yr = yBase + oc * outSize;
            for (int p = 0; p < positions; p++) y[yr + p] = tile[p * width + oc];
        }
    }
}
