package io.convjob;

import io.convjob.init.PrngKey;
import io.convjob.spec.Dims;
import io.convjob.spec.Padding;
import io.convjob.spec.PaddingMode;

/**
 * The arguments Conv and ConvTranspose share, named and defaulted as in equinox. Ints apply to every
 * spatial dim; arrays give one value per dim.
 */
abstract class ConvBuilder<B extends ConvBuilder<B>> {
    final int numSpatialDims;
    final int inChannels;
    final int outChannels;
    final Dims kernelSize;
    Dims stride;
    Padding padding;
    Dims dilation;
    int groups = 1;
    boolean useBias = true;
    PaddingMode paddingMode = PaddingMode.ZEROS;
    PrngKey key;
    boolean threefryPartitionable = true;
    float[] weight;
    float[] bias;

    ConvBuilder(int numSpatialDims, int inChannels, int outChannels, int[] kernelSize) {
        this.numSpatialDims = numSpatialDims;
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.kernelSize = kernelSize.length == 1 ? Dims.repeat(kernelSize[0], numSpatialDims) : Dims.of(kernelSize);
        this.stride = Dims.repeat(1, numSpatialDims);
        this.padding = Padding.Explicit.symmetric(Dims.repeat(0, numSpatialDims));
        this.dilation = Dims.repeat(1, numSpatialDims);
    }

    abstract B self();

    static Dims perDim(int[] values, int n) {
        return values.length == 1 ? Dims.repeat(values[0], n) : Dims.of(values);
    }

    public B stride(int... stride) { this.stride = perDim(stride, numSpatialDims); return self(); }
    public B dilation(int... dilation) { this.dilation = perDim(dilation, numSpatialDims); return self(); }
    public B groups(int groups) { this.groups = groups; return self(); }
    public B useBias(boolean useBias) { this.useBias = useBias; return self(); }
    public B paddingMode(PaddingMode mode) { this.paddingMode = mode; return self(); }

    /** Symmetric padding: one int for every dim, or one per dim. */
    public B padding(int... padding) {
        this.padding = Padding.Explicit.symmetric(perDim(padding, numSpatialDims));
        return self();
    }

    /** {@code (lo, hi)} per spatial dim. */
    public B padding(int[][] pairs) {
        this.padding = Padding.Explicit.pairs(pairs);
        return self();
    }

    /** {@code "SAME"}, {@code "SAME_LOWER"} or {@code "VALID"}, any case. */
    public B padding(String named) {
        this.padding = Padding.named(named);
        return self();
    }

    /** {@code jax.random.PRNGKey(seed)}. */
    public B key(long seed) { this.key = PrngKey.fromSeed(seed); return self(); }
    public B key(PrngKey key) { this.key = key; return self(); }
    /** JAX's {@code jax_threefry_partitionable} at init: true since JAX 0.5.0; false for older models. */
    public B threefryPartitionable(boolean partitionable) { this.threefryPartitionable = partitionable; return self(); }

    /** Explicit parameters instead of key init: weight {@code (out, in / groups, *kernel)}, bias {@code (out,)} or null. */
    public B weights(float[] weight, float[] bias) {
        this.weight = weight;
        this.bias = bias;
        return self();
    }
}
