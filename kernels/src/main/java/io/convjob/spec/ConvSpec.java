package io.convjob.spec;

import io.convjob.init.PrngKey;

/** {@code equinox.nn.Conv}: arguments in equinox's order, canonical forms, equinox's defaults via the parser/builder. */
public record ConvSpec(
        int numSpatialDims,
        int inChannels,
        int outChannels,
        Dims kernelSize,
        Dims stride,
        Padding padding,
        Dims dilation,
        int groups,
        boolean useBias,
        PaddingMode paddingMode,
        PrngKey key,
        boolean threefryPartitionable) implements ConvLayerSpec {

    @Override public String layerName() { return "Conv"; }
}
