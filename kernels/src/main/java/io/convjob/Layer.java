package io.convjob;

import io.convjob.spec.LayerSpec;

/** One layer of a model, callable like an equinox module: on a sample or on a batch. */
public sealed interface Layer extends TensorFunction permits Conv, ConvTranspose, ActivationLayer, PoolLayer, Flatten {

    LayerSpec spec();
}
