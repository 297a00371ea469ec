package io.convjob.spec;

import java.util.Objects;

/**
 * PyTorch's {@code MaxPool1d/2d/3d} and {@code AvgPool1d/2d/3d} where they differ from equinox's pooling
 * ({@link PoolSpec} is used where they agree): {@code dilation}, {@code ceil_mode} (PyTorch's rule: one more
 * window when it starts inside the input or its left padding), {@code count_include_pad=False} and
 * {@code divisor_override}. Padding is {@code -inf} for MaxPool and counted as PyTorch counts it for AvgPool.
 *
 * @param reduction       MAX (MaxPool) or MEAN (AvgPool)
 * @param numSpatialDims  fixed by the class name
 * @param kernelSize      the window
 * @param stride          per dim (PyTorch's {@code stride=None} is the kernel size, resolved by the parser)
 * @param padding         both sides, per dim; at most half the effective kernel, as PyTorch requires
 * @param dilation        MaxPool's; 1 for AvgPool
 * @param ceilMode        PyTorch's {@code ceil_mode}
 * @param countIncludePad AvgPool's {@code count_include_pad}: padding (not the ceil overhang) counts in the divisor
 * @param divisorOverride AvgPool's {@code divisor_override}, or 0 for none
 */
public record TorchPoolSpec(PoolReduction reduction, int numSpatialDims, Dims kernelSize, Dims stride, Dims padding,
                            Dims dilation, boolean ceilMode, boolean countIncludePad, int divisorOverride)
        implements PoolLayerSpec {
    public TorchPoolSpec {
        Objects.requireNonNull(reduction, "reduction");
    }

    @Override public String layerName() {
        return (reduction == PoolReduction.MAX ? "MaxPool" : "AvgPool") + numSpatialDims + "d";
    }
}
