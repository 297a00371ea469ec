package io.convjob.job.model;

import io.convjob.Model;
import io.convjob.init.ConvParams;
import io.convjob.spec.ConvLayerSpec;
import io.convjob.spec.LayerSpec;
import io.convjob.spec.ModelSpec;

import java.io.Serializable;
import java.util.List;

/**
 * What the driver broadcasts: the spec as JSON and every conv layer's parameters as float arrays, so executors
 * rebuild the exact model without reading files or drawing weights again.
 *
 * @param specJson the spec text as given
 * @param weights  per entry of the spec's layers: the weight, or null for an activation
 * @param biases   per entry: the bias, or null for an activation or a layer without bias
 */
public record ModelPayload(String specJson, float[][] weights, float[][] biases) implements Serializable {

    /** Draws (or loads) each conv layer's parameters once, here on the driver. */
    public static ModelPayload of(String specJson, ModelSpec spec, Model.ParamsSource params) {
        List<LayerSpec> layers = spec.layers();
        float[][] weights = new float[layers.size()][];
        float[][] biases = new float[layers.size()][];
        for (int i = 0; i < layers.size(); i++) {
            if (layers.get(i) instanceof ConvLayerSpec conv) {
                ConvParams p = params.params(i, conv, spec.pathOf(i));
                weights[i] = p.weight();
                biases[i] = p.bias();
            }
        }
        return new ModelPayload(specJson, weights, biases);
    }

    /** Builds the model, parsing the spec: on an executor, once per JVM through {@link ModelCache#of}. */
    public Model toModel() {
        return toModel(SpecText.parse(specJson));
    }

    /** Builds the model from {@code spec}, the parse of {@link #specJson} the caller already holds (the driver). */
    public Model toModel(ModelSpec spec) {
        return Model.fromSpec(spec, (index, layer, path) -> new ConvParams(weights[index], biases[index]));
    }
}
