package io.convjob.spec;

/** One entry of a model: a convolution, a transposed convolution or an activation. */
public sealed interface LayerSpec permits ConvLayerSpec, ActivationSpec {
}
