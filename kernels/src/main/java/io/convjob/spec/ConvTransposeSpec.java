package io.convjob.spec;

import io.convjob.init.PrngKey;

/** {@code equinox.nn.ConvTranspose}: arguments in equinox's order, canonical forms. */
public record ConvTransposeSpec(
        int numSpatialDims,
        int inChannels,
        int outChannels,
        Dims kernelSize,
        Dims stride,
        Padding padding,
        Dims outputPadding,
        Dims dilation,
        int groups,
        boolean useBias,
        PaddingMode paddingMode,
        PrngKey key,
        boolean threefryPartitionable) implements ConvLayerSpec {

    @Override public String layerName() { return "ConvTranspose"; }
}
