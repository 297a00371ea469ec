package io.convjob.spec;

/** One entry of a model: a convolution, a transposed convolution, an activation, a pooling layer or flatten. */
public sealed interface LayerSpec permits ConvLayerSpec, ActivationSpec, PoolLayerSpec, FlattenSpec {
}
