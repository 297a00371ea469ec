package io.convjob.spec;

import java.util.Objects;

/**
 * PyTorch's {@code AdaptiveAvgPool1d/2d/3d} and {@code AdaptiveMaxPool1d/2d/3d}: output {@code o} of a dim of size
 * {@code d} reduces {@code [floor(o * d / t), ceil((o + 1) * d / t))}, windows that may overlap, and {@code t} may
 * exceed {@code d} (equinox's {@link AdaptivePoolSpec} cuts disjoint windows instead).
 *
 * @param outputSize per dim, or 0 where PyTorch's {@code output_size} is None (keep the input's size)
 */
public record TorchAdaptivePoolSpec(PoolReduction reduction, int numSpatialDims, Dims outputSize)
        implements PoolLayerSpec {
    public TorchAdaptivePoolSpec {
        Objects.requireNonNull(reduction, "reduction");
    }

    @Override public String layerName() {
        return (reduction == PoolReduction.MAX ? "AdaptiveMaxPool" : "AdaptiveAvgPool") + numSpatialDims + "d";
    }
}
