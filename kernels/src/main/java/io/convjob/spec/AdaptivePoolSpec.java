package io.convjob.spec;

import java.util.Objects;

/**
 * equinox's {@code AdaptiveMaxPool1d/2d/3d} and {@code AdaptiveAvgPool1d/2d/3d}: each spatial dim of size
 * {@code d} is cut into {@code t} consecutive windows, the first {@code d % t} of {@code d / t + 1} elements,
 * the rest of {@code d / t} (not PyTorch's overlapping windows), and each window is reduced.
 *
 * @param reduction      MAX or MEAN (the window's own length is the divisor)
 * @param numSpatialDims fixed by the class name
 * @param targetShape    the output's spatial shape; each {@code t} must lie in {@code 1..d} of the input
 */
public record AdaptivePoolSpec(PoolReduction reduction, int numSpatialDims, Dims targetShape)
        implements PoolLayerSpec {
    /** @throws SpecException (the record checks itself with {@link PoolRules}) naming the first rule broken */
    public AdaptivePoolSpec(PoolReduction reduction, int numSpatialDims, Dims targetShape) {
        this.reduction = Objects.requireNonNull(reduction, "reduction");
        this.numSpatialDims = numSpatialDims;
        this.targetShape = targetShape;
        PoolRules.check(this); // every field is set: the rules read the finished record
    }

    @Override public String layerName() {
        return (reduction == PoolReduction.MAX ? "AdaptiveMaxPool" : "AdaptiveAvgPool") + numSpatialDims + "d";
    }
}
