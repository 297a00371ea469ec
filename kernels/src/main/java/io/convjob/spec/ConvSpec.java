package io.convjob.spec;

import io.convjob.init.PrngKey;

/**
 * {@code equinox.nn.Conv}: arguments in equinox's order, canonical forms, equinox's defaults via the parser/builder.
 * Every instance is valid: the constructor applies {@link SpecRules}, as equinox's {@code __init__} checks its
 * arguments, so nothing downstream checks a spec again.
 *
 * @throws SpecException (from the constructor) naming the first rule the arguments break
 */
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

    public ConvSpec(int numSpatialDims, int inChannels, int outChannels, Dims kernelSize, Dims stride, Padding padding,
            Dims dilation, int groups, boolean useBias, PaddingMode paddingMode, PrngKey key,
            boolean threefryPartitionable) {
        this.numSpatialDims = numSpatialDims;
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.kernelSize = kernelSize;
        this.stride = stride;
        this.padding = padding;
        this.dilation = dilation;
        this.groups = groups;
        this.useBias = useBias;
        this.paddingMode = paddingMode;
        this.key = key;
        this.threefryPartitionable = threefryPartitionable;
        SpecRules.check(this); // every field is set: the rules read the finished record
    }

    @Override public String layerName() { return "Conv"; }
}
