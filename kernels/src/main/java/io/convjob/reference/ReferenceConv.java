package io.convjob.reference;

import io.convjob.engine.ConvEngine;
import io.convjob.engine.PreparedConv;
import io.convjob.shape.ConvGeometry;

/**
 * The test oracle: plain loops over every output element and kernel tap, any number of spatial dims,
 * accumulating in double. Transposed convolutions take the lhs-dilated path through
 * {@link ConvGeometry#sourceIndex()}, which skips the holes instead of storing them.
 */
public final class ReferenceConv implements ConvEngine {

    @Override public String name() { return "reference"; }

    @Override public PreparedConv prepare(ConvGeometry g, float[] weight, float[] bias) {
        return new Prepared(g, weight, bias);
    }

    private record Prepared(ConvGeometry geometry, float[] weight, float[] bias) implements PreparedConv {
        @Override public void run(float[] x, float[] y, int batch, int threads) {
            ConvGeometry g = geometry;
            int n = g.spatialDims();
            int[][] src = g.sourceIndex();
            int[] in = g.inShape();
            int[] out = g.outShape();
            int[] k = g.kernel();
            int inSize = (int) g.inSpatialSize();
            int outSize = (int) g.outSpatialSize();
            int taps = (int) g.kernelSize();
            int cinG = g.inPerGroup();
            int coutG = g.outPerGroup();
            // table[o * taps + t]: flat input spatial offset read by output o at tap t, or -1
            int[] table = new int[outSize * taps];
            int[] oc = new int[n];
            int[] kc = new int[n];
            for (int o = 0; o < outSize; o++) {
                unflatten(o, out, oc);
                for (int t = 0; t < taps; t++) {
                    unflatten(t, k, kc);
                    int flat = 0;
                    for (int d = 0; d < n && flat >= 0; d++) {
                        int s = src[d][oc[d] * g.stride()[d] + kc[d] * g.dilation()[d]];
                        flat = s < 0 ? -1 : flat * in[d] + s;
                    }
                    table[o * taps + t] = flat;
                }
            }
            for (int b = 0; b < batch; b++) {
                for (int co = 0; co < g.outChannels(); co++) {
                    int group = co / coutG;
                    for (int o = 0; o < outSize; o++) {
                        double acc = bias == null ? 0.0 : bias[co];
                        for (int ci = 0; ci < cinG; ci++) {
                            int xBase = (b * g.inChannels() + group * cinG + ci) * inSize;
                            int wBase = (co * cinG + ci) * taps;
                            for (int t = 0; t < taps; t++) {
                                int s = table[o * taps + t];
                                if (s >= 0) acc += (double) weight[wBase + t] * x[xBase + s];
                            }
                        }
                        y[(b * g.outChannels() + co) * outSize + o] = (float) acc;
                    }
                }
            }
        }

        private static void unflatten(int flat, int[] dims, int[] coords) {
            for (int d = dims.length - 1; d >= 0; d--) {
                coords[d] = flat % dims[d];
                flat /= dims[d];
            }
        }
    }
}
