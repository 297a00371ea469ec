package io.convjob.torch;

import io.convjob.init.ConvParams;
import io.convjob.ModelWeights;
import io.convjob.io.SafetensorsWriter;
import io.convjob.spec.ModelSpec;
import io.convjob.spec.SpecWriter;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * {@code convjob import-torch}: a PyTorch spec and state dict rewritten as equinox's form, a spec JSON and a
 * {@code .safetensors} of {@code layers.{i}.weight} / {@code layers.{i}.bias} in equinox's layouts, so every
 * other command (and equinox itself) reads them.
 */
public final class TorchImport {
    private TorchImport() {}

    /** Checks the whole state dict against the spec first; writes the weights (atomically), then the spec. */
    public static int write(ModelSpec torchSpec, StateDict stateDict, Path weightsOut, Path specOut) {
        Map<Integer, ConvParams> params = TorchWeights.fromStateDict(torchSpec, stateDict);
        ModelSpec equinox = torchSpec.asEquinox();
        String specJson = SpecWriter.toJson(equinox);
        SafetensorsWriter.write(weightsOut, ModelWeights.namedTensors(equinox, params),
                Map.of("spec", specJson, "producer", "convjob import-torch", "source", stateDict.source()));
        try {
            Files.writeString(specOut, specJson);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + specOut, e);
        }
        return params.size();
    }
}
