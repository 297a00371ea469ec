package io.convjob.job.model;

import io.convjob.Model;
import io.convjob.ModelWeights;
import io.convjob.spec.ModelSpec;
import io.convjob.spec.WeightNaming;
import io.convjob.torch.TorchWeights;

import java.nio.file.Path;

/** Reads a weight file for a spec on the driver; the job broadcasts what it returns. */
@FunctionalInterface
public interface WeightsLoader {

    /**
     * @throws io.convjob.error.InputException if the file cannot be read or does not match the spec
     */
    Model.ParamsSource load(ModelSpec spec, Path weights);

    /**
     * As the spec names its weights: an equinox-form spec reads safetensors, .eqx or .npy ({@link ModelWeights});
     * a PyTorch-form spec reads a state dict, {@code torch.save} checkpoint or safetensors ({@link TorchWeights}).
     */
    static WeightsLoader standard() {
        return (spec, weights) -> spec.naming() instanceof WeightNaming.PyTorch
                ? TorchWeights.load(spec, weights)
                : ModelWeights.load(spec, weights).asSource();
    }

    /** {@link #standard()} with a PyTorch spec's weights looked up under {@code prefix} (null: the spec's own). */
    static WeightsLoader withPrefix(String prefix) {
        if (prefix == null) return standard();
        return (spec, weights) -> standard().load(spec.withWeightsPrefix(prefix), weights);
    }
}
