package io.convjob.spec;

import io.convjob.init.PrngKey;

/**
 * What {@link ConvSpec} and {@link ConvTransposeSpec} share: equinox's constructor arguments in
 * canonical form. Both store the weight as {@code (out_channels, in_channels / groups, *kernel_size)}.
 */
public sealed interface ConvLayerSpec extends LayerSpec permits ConvSpec, ConvTransposeSpec {
    int numSpatialDims();
    int inChannels();
    int outChannels();
    Dims kernelSize();
    Dims stride();
    Padding padding();
    Dims dilation();
    int groups();
    boolean useBias();
    PaddingMode paddingMode();
    /** The init key, or null when the weights must come from a file. */
    PrngKey key();
    /** JAX's {@code jax_threefry_partitionable} for init (true since JAX 0.5.0). */
    boolean threefryPartitionable();

    /** equinox's class name, e.g. {@code Conv} or {@code ConvTranspose}. */
    String layerName();

    /** {@code (out_channels, in_channels / groups, *kernel_size)} */
    default int[] weightShape() {
        int n = numSpatialDims();
        int[] shape = new int[n + 2];
        shape[0] = outChannels();
        shape[1] = inChannels() / groups();
        for (int d = 0; d < n; d++) shape[d + 2] = kernelSize().get(d);
        return shape;
    }

    /** Elements of the weight, saturating at {@link Long#MAX_VALUE} (so an absurd spec is refused, not wrapped). */
    default long weightCount() {
        long n = 1;
        for (int d : weightShape()) {
            if (d == 0) return 0;
            n = n > Long.MAX_VALUE / d ? Long.MAX_VALUE : n * d;
        }
        return n;
    }

    default long parameterCount() {
        long w = weightCount();
        return w == Long.MAX_VALUE ? w : w + (useBias() ? outChannels() : 0);
    }
}
