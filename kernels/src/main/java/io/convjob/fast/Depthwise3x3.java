package io.convjob.fast;

import io.convjob.engine.PreparedConv;
import io.convjob.shape.ConvGeometry;

/**
 * Depthwise 3x3, stride 1, zero padding 1 (the MobileNet-style layer; a channel multiplier, {@code out = k * in}
 * with {@code groups = in}, too), straight from the input: one {@link Depthwise3x3Kernel} call per (sample, output
 * channel) plane, no split copy, no tile, output written once. Other depthwise layers go through {@link DirectConv}
 * or {@link DepthwiseConv}.
 */
final class Depthwise3x3 implements PreparedConv {
    private final ConvGeometry geometry;
    private final float[] weight;
    private final float[] bias;
    private final Depthwise3x3Kernel kernel;
    private final int channels;
    private final int inChannels;
    private final int multiplier;
    private final int height;
    private final int width;
    private final int planeSize;
    /**
     * Per thread, a copy of a plane at either end of x with one float either side (the kernel loads one float past
     * each end of the plane); kept: fresh pages are slow.
     */
    private final ThreadLocal<float[]> edgePlane;

    /** True when {@code g} is this layer and its rows are wider than one vector of {@code lanes}. */
    static boolean supports(ConvGeometry g, int lanes) {
        if (g.spatialDims() != 2 || g.inPerGroup() != 1 || g.emptyOutput()) return false;
        for (int d = 0; d < 2; d++) {
            if (g.kernel()[d] != 3 || g.stride()[d] != 1 || g.dilation()[d] != 1 || g.lhsDilation()[d] != 1
                    || g.padLo()[d] != 1 || g.padHi()[d] != 1 || g.preLo()[d] != 0 || g.preHi()[d] != 0) {
                return false;
            }
        }
        return g.inShape()[1] > lanes;
    }

    Depthwise3x3(ConvGeometry g, float[] weight, float[] bias, Depthwise3x3Kernel kernel) {
        if (!supports(g, kernel.lanes())) throw new IllegalArgumentException("not a depthwise 3x3 pad 1 layer: " + g);
        this.geometry = g;
        this.weight = weight;
        this.bias = bias;
        this.kernel = kernel;
        this.channels = g.outChannels();
        this.inChannels = g.inChannels();
        this.multiplier = g.outPerGroup();
        this.height = g.inShape()[0];
        this.width = g.inShape()[1];
        this.planeSize = height * width;
        this.edgePlane = ThreadLocal.withInitial(() -> new float[planeSize + 2]);
    }

    @Override public ConvGeometry geometry() { return geometry; }

    @Override public void run(float[] x, float[] y, int batch, int threads) {
        WorkPool.forEach(batch * channels, threads, item -> plane(x, y, item));
    }

    /**
     * Output plane {@code item = n * channels + c}, from input plane {@code n * inChannels + c / multiplier}, read in
     * place unless it touches either end of x.
     */
    private void plane(float[] x, float[] y, int item) {
        int c = item % channels;
        float b = bias == null ? 0f : bias[c];
        int off = (item / channels * inChannels + c / multiplier) * planeSize;
        if (off >= 1 && off + planeSize < x.length) {
            kernel.plane(x, off, height, width, weight, c * 9, b, y, item * planeSize);
        } else {
            float[] edge = edgePlane.get();
            System.arraycopy(x, off, edge, 1, planeSize);
            kernel.plane(edge, 1, height, width, weight, c * 9, b, y, item * planeSize);
        }
    }
}
