package io.convjob.shape;

import io.convjob.spec.PaddingMode;

import java.util.Arrays;

/**
 * One convolution lowered to the terms of {@code lax.conv_general_dilated} for one input spatial shape:
 * every Conv and ConvTranspose of equinox is this primitive, possibly after an explicit pre-padding.
 *
 * <p>The input {@code x} has {@code inShape} spatial dims. It is first pre-padded by
 * {@code (preLo, preHi)} with {@code preMode} (REFLECT / REPLICATE / CIRCULAR; all zero for plain
 * ZEROS layers), then dilated by {@code lhsDilation} (the transposed conv's stride), then zero-padded by
 * {@code (padLo, padHi)} (negative values crop), and finally convolved with the {@code dilation}-dilated
 * kernel at {@code stride}. {@link #sourceIndex()} folds all of that into one map per dim, so kernels never
 * materialise the padded or dilated input.
 *
 * <p>Weight layout: {@code (outChannels, inChannels / groups, *kernel)}; the kernel is applied as
 * cross-correlation (no flip), as lax does.
 */
public record ConvGeometry(
        int inChannels,
        int outChannels,
        int groups,
        int[] inShape,
        int[] outShape,
        int[] kernel,
        int[] stride,
        int[] dilation,
        int[] lhsDilation,
        int[] padLo,
        int[] padHi,
        PaddingMode preMode,
        int[] preLo,
        int[] preHi) {

    public ConvGeometry {
        int n = inShape.length;
        for (int[] a : new int[][] {outShape, kernel, stride, dilation, lhsDilation, padLo, padHi, preLo, preHi}) {
            if (a.length != n) throw new IllegalArgumentException("every per-dim array needs " + n + " entries");
        }
    }

    public int spatialDims() { return inShape.length; }
    public int inPerGroup() { return inChannels / groups; }
    public int outPerGroup() { return outChannels / groups; }

    public static long product(int[] dims) {
        long p = 1;
        for (int d : dims) p *= d;
        return p;
    }

    /** The C-order (row-major) strides of {@code shape}: the last dimension's is 1. */
    public static int[] strides(int[] shape) {
        int[] s = new int[shape.length];
        int acc = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            s[d] = acc;
            acc *= shape[d];
        }
        return s;
    }

    public long inSpatialSize() { return product(inShape); }
    public long outSpatialSize() { return product(outShape); }
    public long kernelSize() { return product(kernel); }

    /** True when the output is empty (some output size came out 0), as lax allows. */
    public boolean emptyOutput() { return outSpatialSize() == 0; }

    /**
     * Per spatial dim, a map from the virtual coordinate {@code o * stride + k * dilation} (o an output
     * index, k a kernel tap) to the index of the original input element it reads, or -1 where it reads a
     * zero (zero padding, the holes of lhs dilation, or cropped-away space).
     */
    public int[][] sourceIndex() {
        int n = spatialDims();
        int[][] maps = new int[n][];
        for (int d = 0; d < n; d++) {
            int extent = outShape[d] == 0 ? 0 : (outShape[d] - 1) * stride[d] + (kernel[d] - 1) * dilation[d] + 1;
            int[] map = new int[extent];
            int prePadded = inShape[d] + preLo[d] + preHi[d];
            long dilatedLast = prePadded <= 0 ? -1 : (long) (prePadded - 1) * lhsDilation[d];
            for (int v = 0; v < extent; v++) {
                long u = (long) v - padLo[d];
                if (u < 0 || u > dilatedLast || u % lhsDilation[d] != 0) {
                    map[v] = -1;
                } else {
                    map[v] = PrePadding.source((int) (u / lhsDilation[d]) - preLo[d], inShape[d], preMode);
                }
            }
            maps[d] = map;
        }
        return maps;
    }

    @Override public boolean equals(Object o) {
        return o instanceof ConvGeometry g && inChannels == g.inChannels && outChannels == g.outChannels
                && groups == g.groups && preMode == g.preMode && Arrays.equals(inShape, g.inShape)
                && Arrays.equals(outShape, g.outShape) && Arrays.equals(kernel, g.kernel)
                && Arrays.equals(stride, g.stride) && Arrays.equals(dilation, g.dilation)
                && Arrays.equals(lhsDilation, g.lhsDilation) && Arrays.equals(padLo, g.padLo)
                && Arrays.equals(padHi, g.padHi) && Arrays.equals(preLo, g.preLo) && Arrays.equals(preHi, g.preHi);
    }

    @Override public int hashCode() {
        return Arrays.deepHashCode(new Object[] {inChannels, outChannels, groups, inShape, outShape, kernel, stride,
                dilation, lhsDilation, padLo, padHi, preMode, preLo, preHi});
    }

    @Override public String toString() {
        return "ConvGeometry[in=" + inChannels + "x" + Arrays.toString(inShape) + ", out=" + outChannels + "x"
                + Arrays.toString(outShape) + ", groups=" + groups + ", kernel=" + Arrays.toString(kernel)
                + ", stride=" + Arrays.toString(stride) + ", dilation=" + Arrays.toString(dilation)
                + ", lhsDilation=" + Arrays.toString(lhsDilation) + ", pad=" + Arrays.toString(padLo) + "/"
                + Arrays.toString(padHi) + ", pre=" + preMode + " " + Arrays.toString(preLo) + "/"
                + Arrays.toString(preHi) + "]";
    }
}
