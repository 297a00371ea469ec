package io.convjob.job;

import io.convjob.Model;
import io.convjob.io.InputException;
import io.convjob.spec.ModelSpec;

import java.nio.file.Path;

/** Reads a weight file for a spec on the driver; the job broadcasts what it returns. */
@FunctionalInterface
public interface WeightsLoader {

    /**
     * @throws InputException if the file cannot be read or does not match the spec
     */
    Model.ParamsSource load(ModelSpec spec, Path weights);

    /**
     * The loader the job, the Transformer and the CLI use. Until the weight-file reader is plugged in here, every
     * weights path is refused with one line.
     */
    static WeightsLoader standard() {
        return (spec, weights) -> {
            throw new InputException(weights + ": weight files are not supported by this build; use a spec with keys");
        };
    }
}
