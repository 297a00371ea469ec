package io.convjob.bench;

import io.convjob.shape.ConvGeometry;
import io.convjob.shape.Shapes;
import io.convjob.spec.ConvLayerSpec;
import io.convjob.spec.ConvSpec;
import io.convjob.spec.ConvTransposeSpec;
import io.convjob.spec.Dims;
import io.convjob.spec.Padding;
import io.convjob.spec.PaddingMode;

import java.util.List;

/**
 * One benchmarked layer: name, the layer, its input spatial shape and batch, and the target share of the FMA peak.
 * (Other libraries are compared on this machine by {@code ../shared/anchors/perf/vs-onednn}, never with figures
 * from elsewhere.)
 */
public record BenchConfig(String name, String description, ConvLayerSpec layer, int[] inShape, int batch,
                          double targetPctPeak) {

    /** The nine configs of the standard suite, batch 8 unless the description says otherwise. */
    public static List<BenchConfig> standard() {
        return List.of(
                new BenchConfig("c2d_3x3_64_56", "conv2d 3x3 pad1 64->64 56x56",
                        conv(2, 64, 64, 3, 1, 1, 1, 1), new int[] {56, 56}, 8, 75),
                new BenchConfig("c2d_1x1_256to64_56", "conv2d 1x1 256->64 56x56",
                        conv(2, 256, 64, 1, 1, 0, 1, 1), new int[] {56, 56}, 8, 60),
                new BenchConfig("c2d_3x3s2_128_28", "conv2d 3x3 stride2 pad1 128->128 28x28",
                        conv(2, 128, 128, 3, 2, 1, 1, 1), new int[] {28, 28}, 8, 75),
                new BenchConfig("c2d_7x7s2_3to64_224", "conv2d 7x7 s2 p3 3->64 224x224 N=2",
                        conv(2, 3, 64, 7, 2, 3, 1, 1), new int[] {224, 224}, 2, 70),
                new BenchConfig("dw2d_3x3_256_28", "depthwise 3x3 pad1 groups=256 256->256 28x28",
                        conv(2, 256, 256, 3, 1, 1, 1, 256), new int[] {28, 28}, 8, 25),
                new BenchConfig("c3d_3x3x3_32_16x32x32", "conv3d 3x3x3 pad1 32->32 16x32x32 N=2",
                        conv(3, 32, 32, 3, 1, 1, 1, 1), new int[] {16, 32, 32}, 2, 85),
                new BenchConfig("c1d_k5d2_128_4096", "conv1d k5 dilation2 pad4 128->128 L=4096",
                        conv(1, 128, 128, 5, 1, 4, 2, 1), new int[] {4096}, 8, 75),
                new BenchConfig("ct2d_4x4s2_128to64_32", "convtranspose2d 4x4 s2 p1 128->64 32x32",
                        transpose(2, 128, 64, 4, 2, 1), new int[] {32, 32}, 8, 75),
                new BenchConfig("ct3d_2x2x2s2_64to32_16", "convtranspose3d 2x2x2 s2 64->32 16^3 N=2",
                        transpose(3, 64, 32, 2, 2, 0), new int[] {16, 16, 16}, 2, 45));
    }

    /** The same layer on a smaller input: batch at most 2, every spatial size halved (quick suite). */
    public BenchConfig quick() {
        int[] in = inShape.clone();
        for (int d = 0; d < in.length; d++) in[d] = Math.max(4, in[d] / 2);
        return new BenchConfig(name, description, layer, in, Math.min(batch, 2), targetPctPeak);
    }

    /** A small instance for checking against the reference: batch 2, spatial sizes capped. */
    public BenchConfig checkInstance() {
        int[] in = inShape.clone();
        int cap = switch (in.length) {
            case 1 -> 64;
            case 2 -> 12;
            default -> 8;
        };
        for (int d = 0; d < in.length; d++) in[d] = Math.min(in[d], cap);
        return new BenchConfig(name, description, layer, in, 2, targetPctPeak);
    }

    public ConvGeometry geometry() {
        return Shapes.lower(layer, inShape);
    }

    /** Floating-point operations per call: 2 x the MACs that describe and run count ({@link Shapes#macsPerSample}). */
    public double flopsPerCall() {
        return 2.0 * batch * Shapes.macsPerSample(layer, geometry());
    }

    private static ConvSpec conv(int n, int cin, int cout, int k, int stride, int pad, int dilation, int groups) {
        return new ConvSpec(n, cin, cout, Dims.repeat(k, n), Dims.repeat(stride, n),
                Padding.Explicit.symmetric(Dims.repeat(pad, n)), Dims.repeat(dilation, n), groups, true,
                PaddingMode.ZEROS, null, true);
    }

    private static ConvTransposeSpec transpose(int n, int cin, int cout, int k, int stride, int pad) {
        return new ConvTransposeSpec(n, cin, cout, Dims.repeat(k, n), Dims.repeat(stride, n),
                Padding.Explicit.symmetric(Dims.repeat(pad, n)), Dims.repeat(0, n), Dims.repeat(1, n), 1, true,
                PaddingMode.ZEROS, null, true);
    }
}
