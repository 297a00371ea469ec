package io.convjob.fast;

import io.convjob.engine.PreparedConv;
import io.convjob.shape.ConvGeometry;

/**
 * Depthwise convolution (one input and one output channel per group, no lhs dilation), done directly: each
 * output row along the innermost dim accumulates {@code w * x}-row products tap by tap. The interior of a row
 * is one contiguous (or strided) run the JIT vectorises; edges and pre-padding go through the source tables.
 * A GEMM would have one output channel per block here, wasting most of the micro-kernel.
 */
final class DepthwiseConv implements PreparedConv {
    private final ConvGeometry geometry;
    private final float[] weight;
    private final float[] bias;
    private final int dims;
    private final int channels;
    private final int taps;
    private final int inSize;
    private final int outSize;
    private final int[] inStrides;
    private final int[] outShape;
    private final int rowLength;
    private final int rowsPerPlane;
    /** {@code source[d][k][o]}: input index read by output o at kernel index k, or -1. */
    private final int[][][] source;
    private final int[] runLo;
    private final int[] runHi;
    private final int step;
    private final int[] tapCoords;
    private final RowAxpy rowAxpy;

    /** True when {@link DepthwiseConv} handles {@code g}. */
    static boolean supports(ConvGeometry g) {
        if (g.inPerGroup() != 1 || g.outPerGroup() != 1 || g.emptyOutput()) return false;
        for (int l : g.lhsDilation()) if (l != 1) return false;
        return true;
    }

    DepthwiseConv(ConvGeometry g, float[] weight, float[] bias, RowAxpy rowAxpy) {
        this.rowAxpy = rowAxpy;
        this.geometry = g;
        this.weight = weight;
        this.bias = bias;
        this.dims = g.spatialDims();
        this.channels = g.outChannels();
        this.taps = (int) g.kernelSize();
        this.inSize = (int) g.inSpatialSize();
        this.outSize = (int) g.outSpatialSize();
        this.outShape = g.outShape();
        this.inStrides = new int[dims];
        int acc = 1;
        for (int d = dims - 1; d >= 0; d--) {
            inStrides[d] = acc;
            acc *= g.inShape()[d];
        }
        this.rowLength = outShape[dims - 1];
        this.rowsPerPlane = outSize / rowLength;
        int[][] maps = g.sourceIndex();
        this.source = new int[dims][][];
        for (int d = 0; d < dims; d++) {
            source[d] = new int[g.kernel()[d]][outShape[d]];
            for (int k = 0; k < g.kernel()[d]; k++) {
                for (int o = 0; o < outShape[d]; o++) source[d][k][o] = maps[d][o * g.stride()[d] + k * g.dilation()[d]];
            }
        }
        int last = dims - 1;
        this.step = g.stride()[last];
        int kLast = g.kernel()[last];
        this.runLo = new int[kLast];
        this.runHi = new int[kLast];
        for (int k = 0; k < kLast; k++) longestRun(source[last][k], k);
        this.tapCoords = new int[taps * dims];
        for (int t = 0; t < taps; t++) {
            int rest = t;
            for (int d = dims - 1; d >= 0; d--) {
                tapCoords[t * dims + d] = rest % g.kernel()[d];
                rest /= g.kernel()[d];
            }
        }
    }

    private void longestRun(int[] src, int k) {
        int[] run = SourceRuns.longest(src, step);
        runLo[k] = run[0];
        runHi[k] = run[1];
    }

    @Override public ConvGeometry geometry() { return geometry; }

    @Override public void run(float[] x, float[] y, int batch, int threads) {
        WorkPool.forEach(batch * channels, threads, item -> plane(x, y, item));
    }

    /** One (sample, channel) plane: {@code item = b * channels + c}, the same index for x and y planes. */
    private void plane(float[] x, float[] y, int item) {
        int c = item % channels;
        int xPlane = item * inSize;
        int yPlane = item * outSize;
        int last = dims - 1;
        float start = bias == null ? 0f : bias[c];
        int[] outer = new int[Math.max(1, last)];
        for (int row = 0; row < rowsPerPlane; row++) {
            int rest = row;
            for (int d = last - 1; d >= 0; d--) {
                outer[d] = rest % outShape[d];
                rest /= outShape[d];
            }
            int yRow = yPlane + row * rowLength;
            java.util.Arrays.fill(y, yRow, yRow + rowLength, start);
            for (int t = 0; t < taps; t++) {
                int off = xPlane;
                boolean zero = false;
                for (int d = 0; d < last; d++) {
                    int s = source[d][tapCoords[t * dims + d]][outer[d]];
                    if (s < 0) {
                        zero = true;
                        break;
                    }
                    off += s * inStrides[d];
                }
                if (zero) continue;
                int k = tapCoords[t * dims + last];
                accumulateRow(x, off, source[last][k], runLo[k], runHi[k], weight[c * taps + t], y, yRow);
            }
        }
    }

    private void accumulateRow(float[] x, int off, int[] src, int lo, int hi, float w, float[] y, int yRow) {
        for (int q = 0; q < lo; q++) {
            if (src[q] >= 0) y[yRow + q] += w * x[off + src[q]];
        }
        if (lo < hi) {
            int base = off + src[lo] - lo * step;
            if (step == 1) {
                rowAxpy.axpy(w, x, base + lo, y, yRow + lo, hi - lo);
            } else {
                for (int q = lo; q < hi; q++) y[yRow + q] += w * x[base + q * step];
            }
        }
        for (int q = hi; q < rowLength; q++) {
            if (src[q] >= 0) y[yRow + q] += w * x[off + src[q]];
        }
    }
}
