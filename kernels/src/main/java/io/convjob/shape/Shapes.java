package io.convjob.shape;

import io.convjob.spec.ConvLayerSpec;
import io.convjob.spec.ConvSpec;
import io.convjob.spec.ConvTransposeSpec;
import io.convjob.spec.Padding;
import io.convjob.spec.PaddingMode;

/**
 * All padding and output-size arithmetic, shared by the reference kernels, the fast kernels and
 * {@code describe}: lowers a layer to {@link ConvGeometry} exactly as equinox 0.13.8 lowers it to
 * {@code lax.conv_general_dilated}.
 */
public final class Shapes {
    private Shapes() {}

    /** The geometry of {@code layer} applied to an input of spatial shape {@code inShape}. */
    public static ConvGeometry lower(ConvLayerSpec layer, int[] inShape) {
        if (inShape.length != layer.numSpatialDims()) {
            throw new IllegalArgumentException("input has " + inShape.length + " spatial dims, layer expects "
                    + layer.numSpatialDims());
        }
        if (layer instanceof ConvTransposeSpec t) return lowerTranspose(t, inShape);
        return lowerConv((ConvSpec) layer, inShape);
    }

    /** {@code (channels, *spatial)} of the output for a {@code (channels, *spatial)} input. */
    public static int[] outputShape(ConvLayerSpec layer, int[] sampleShape) {
        int[] spatial = java.util.Arrays.copyOfRange(sampleShape, 1, sampleShape.length);
        ConvGeometry g = lower(layer, spatial);
        int[] out = new int[sampleShape.length];
        out[0] = layer.outChannels();
        System.arraycopy(g.outShape(), 0, out, 1, spatial.length);
        return out;
    }

    /**
     * Multiply-accumulates per sample of {@code layer} lowered to {@code g}, as describe, bench and run count
     * them: a convolution {@code Cout * prod(out) * Cin/g * prod(k)}; a transposed convolution
     * {@code Cin * prod(in) * Cout/g * prod(k)}, the taps that meet real input (its scatter form), not the holes of
     * the lhs-dilated input.
     */
    public static long macsPerSample(ConvLayerSpec layer, ConvGeometry g) {
        int perGroup = layer instanceof ConvTransposeSpec ? g.outPerGroup() : g.inPerGroup();
        long[] factors = layer instanceof ConvTransposeSpec
                ? new long[] {layer.inChannels(), g.inSpatialSize(), perGroup, g.kernelSize()}
                : new long[] {layer.outChannels(), g.outSpatialSize(), perGroup, g.kernelSize()};
        return SizeLimits.product(factors, "MACs per sample");
    }

    private static ConvGeometry lowerConv(ConvSpec c, int[] in) {
        int n = in.length;
        int[] k = c.kernelSize().toArray();
        int[] s = c.stride().toArray();
        int[] d = c.dilation().toArray();
        int[][] pads = resolveConvPadding(c.padding(), in, k, s, d);
        int[] zero = new int[n];
        int[] one = ones(n);
        boolean pre = c.paddingMode() != PaddingMode.ZEROS;
        // equinox: non-ZEROS modes jnp.pad explicitly, then run VALID
        int[] padLo = pre ? zero : pads[0];
        int[] padHi = pre ? zero : pads[1];
        int[] preLo = pre ? pads[0] : zero;
        int[] preHi = pre ? pads[1] : zero;
        int[] out = outSizes(in, preLo, preHi, one, padLo, padHi, k, s, d);
        return new ConvGeometry(c.inChannels(), c.outChannels(), c.groups(), in.clone(), out, k, s, d, one,
                padLo, padHi, c.paddingMode(), preLo, preHi);
    }

    private static ConvGeometry lowerTranspose(ConvTransposeSpec t, int[] in) {
        int n = in.length;
        int[] k = t.kernelSize().toArray();
        int[] s = t.stride().toArray();
        int[] d = t.dilation().toArray();
        int[][] padT = transposePadding(t);
        int[] zero = new int[n];
        int[] one = ones(n);
        int[] padLo = padT[0];
        int[] padHi = padT[1];
        int[] preLo = zero;
        int[] preHi = zero;
        if (t.paddingMode() == PaddingMode.CIRCULAR) {
            // equinox's _circular_pad: wrap whole input periods, keep the remainder as zero padding
            preLo = new int[n];
            preHi = new int[n];
            padLo = new int[n];
            padHi = new int[n];
            for (int i = 0; i < n; i++) {
                preLo[i] = Math.floorDiv(padT[0][i], s[i]);
                preHi[i] = Math.floorDiv(padT[1][i], s[i]);
                padLo[i] = Math.floorMod(padT[0][i], s[i]);
                padHi[i] = Math.floorMod(padT[1][i], s[i]);
            }
        }
        int[] out = outSizes(in, preLo, preHi, s, padLo, padHi, k, one, d);
        return new ConvGeometry(t.inChannels(), t.outChannels(), t.groups(), in.clone(), out, k, one, d, s.clone(),
                padLo, padHi, t.paddingMode(), preLo, preHi);
    }

    /**
     * {@code lax.padtype_to_pads} for named paddings, or the explicit pairs: {@code [lo[], hi[]]}.
     * SAME: output {@code ceil(in / stride)}; the odd element goes at the end (start for SAME_LOWER).
     */
    static int[][] resolveConvPadding(Padding padding, int[] in, int[] k, int[] s, int[] d) {
        int n = in.length;
        int[] lo = new int[n];
        int[] hi = new int[n];
        if (padding instanceof Padding.Explicit e) {
            lo = e.lo().toArray();
            hi = e.hi().toArray();
        } else if (padding != Padding.Named.VALID) {
            for (int i = 0; i < n; i++) {
                long window = (long) d[i] * (k[i] - 1) + 1;
                long out = Math.floorDiv((long) in[i] + s[i] - 1, s[i]);
                long total = Math.max((out - 1) * s[i] + window - in[i], 0);
                long small = total / 2;
                lo[i] = SizeLimits.toInt(padding == Padding.Named.SAME ? small : total - small, "padding", i);
                hi[i] = SizeLimits.toInt(total - lo[i], "padding", i);
            }
        }
        return new int[][] {lo, hi};
    }

    /**
     * equinox's {@code ConvTranspose._padding_transpose} (Relationship 14 of arXiv:1603.07285):
     * {@code (d(k-1) - p0, d(k-1) - p1 + output_padding)}; for SAME paddings {@code p} is chosen so the
     * output is {@code in * stride}, and output_padding then shrinks it.
     */
    static int[][] transposePadding(ConvTransposeSpec t) {
        int n = t.numSpatialDims();
        int[] lo = new int[n];
        int[] hi = new int[n];
        for (int i = 0; i < n; i++) {
            long k = t.kernelSize().get(i);
            long s = t.stride().get(i);
            long d = t.dilation().get(i);
            long a = t.outputPadding().get(i);
            long p0;
            long p1;
            if (t.padding() instanceof Padding.Explicit e) {
                p0 = e.lo().get(i);
                p1 = e.hi().get(i);
            } else if (t.padding() == Padding.Named.VALID) {
                p0 = 0;
                p1 = 0;
            } else {
                long pSum = d * (k - 1) - s + a + 1;
                a = pSum < 0 ? -pSum : 0; // equinox: a too-small sum moves into the output padding
                pSum = Math.max(pSum, 0);
                long lower = t.padding() == Padding.Named.SAME_LOWER ? 1 : 0;
                p0 = Math.floorDiv(pSum + lower, 2);
                p1 = pSum - p0;
            }
            lo[i] = SizeLimits.toInt(d * (k - 1) - p0, "padding", i);
            hi[i] = SizeLimits.toInt(d * (k - 1) - p1 + a, "padding", i);
        }
        return new int[][] {lo, hi};
    }

    /** lax's output size: {@code max(0, floor((dilated + lo + hi - window) / stride) + 1)}. */
    private static int[] outSizes(int[] in, int[] preLo, int[] preHi, int[] lhsDil, int[] padLo, int[] padHi,
                                  int[] k, int[] s, int[] d) {
        int n = in.length;
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            long prePadded = (long) in[i] + preLo[i] + preHi[i];
            long dilated = prePadded <= 0 ? 0 : (prePadded - 1) * lhsDil[i] + 1;
            long padded = dilated + padLo[i] + padHi[i];
            long window = (long) d[i] * (k[i] - 1) + 1;
            // the padded extent is what the kernels index with ints (ConvGeometry.sourceIndex)
            SizeLimits.checkExtent(Math.max(padded, window), i);
            long o = Math.floorDiv(padded - window, (long) s[i]) + 1;
            out[i] = SizeLimits.toInt(Math.max(0, o), "output size", i);
        }
        return out;
    }

    private static int[] ones(int n) {
        int[] a = new int[n];
        java.util.Arrays.fill(a, 1);
        return a;
    }
}
