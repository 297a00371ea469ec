package io.convjob.job.model;

import io.convjob.Model;
import io.convjob.ModelWeights;
import io.convjob.spec.ModelSpec;

import java.nio.file.Path;

/** Reads a weight file for a spec on the driver; the job broadcasts what it returns. */
@FunctionalInterface
public interface WeightsLoader {

    /**
     * @throws io.convjob.error.InputException if the file cannot be read or does not match the spec
     */
    Model.ParamsSource load(ModelSpec spec, Path weights);

    /** safetensors, .eqx or .npy, checked against the spec ({@link ModelWeights}). */
    static WeightsLoader standard() {
        return (spec, weights) -> ModelWeights.load(spec, weights).asSource();
    }
}
