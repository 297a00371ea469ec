package io.convjob.spec;

/**
 * A pooling entry of a model: equinox's {@code MaxPool}/{@code AvgPool} ({@link PoolSpec}) or
 * {@code AdaptiveMaxPool}/{@code AdaptiveAvgPool} ({@link AdaptivePoolSpec}). Pooling has no parameters and
 * keeps the channels; each channel is pooled alike.
 */
public sealed interface PoolLayerSpec extends LayerSpec permits PoolSpec, AdaptivePoolSpec {
    int numSpatialDims();

    PoolReduction reduction();

    /** equinox's class name, e.g. {@code MaxPool2d} or {@code AdaptiveAvgPool1d}. */
    String layerName();
}
