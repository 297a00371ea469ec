package io.convjob.spec;

import java.util.Objects;

/**
 * equinox's {@code MaxPool1d/2d/3d} and {@code AvgPool1d/2d/3d} ({@code equinox.nn.Pool}) in canonical form:
 * {@code lax.reduce_window} with {@code -inf}/{@code 0} as init, an AvgPool dividing by {@code prod(kernel_size)}.
 *
 * @param reduction      MAX (MaxPool) or MEAN (AvgPool)
 * @param numSpatialDims fixed by the class name
 * @param kernelSize     the window, one size per spatial dim
 * @param stride         per spatial dim; equinox's default is 1 (not kernel_size as in PyTorch)
 * @param padding        explicit {@code (lo, hi)} per spatial dim (negative values crop); no string paddings
 * @param useCeil        if a dim's windows do not end exactly at the padded end, equinox adds {@code stride} to that
 *                       dim's right padding (one more window): the padding then depends on the input size
 */
public record PoolSpec(PoolReduction reduction, int numSpatialDims, Dims kernelSize, Dims stride,
                       Padding.Explicit padding, boolean useCeil) implements PoolLayerSpec {
    /** @throws SpecException (the record checks itself with {@link PoolRules}) naming the first rule broken */
    public PoolSpec(PoolReduction reduction, int numSpatialDims, Dims kernelSize, Dims stride, Padding.Explicit padding,
            boolean useCeil) {
        this.reduction = Objects.requireNonNull(reduction, "reduction");
        this.numSpatialDims = numSpatialDims;
        this.kernelSize = kernelSize;
        this.stride = stride;
        this.padding = padding;
        this.useCeil = useCeil;
        PoolRules.check(this); // every field is set: the rules read the finished record
    }

    @Override public String layerName() {
        return (reduction == PoolReduction.MAX ? "MaxPool" : "AvgPool") + numSpatialDims + "d";
    }
}
