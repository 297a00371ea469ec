package io.convjob.cli;

import io.convjob.Model;
import io.convjob.ModelWeights;
import io.convjob.spec.ModelSpec;
import io.convjob.spec.SpecParser;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** {@code --spec} and {@code --weights}: the model a command runs, checked when loaded. */
public final class ModelOptions {
    @Option(names = "--spec", required = true, paramLabel = "SPEC.json",
            description = "Layer spec: one layer or {\"layers\": [...]}, keys as equinox's arguments.")
    public Path spec;

    @Option(names = "--weights", paramLabel = "FILE",
            description = "Weights: .safetensors, equinox .eqx (tree_serialise_leaves) or .npy. "
                    + "Default: initialise from the spec's keys, bit for bit as equinox.")
    public Path weights;

    public ModelSpec parseSpec() {
        return SpecParser.parse(spec);
    }

    public Model load() {
        ModelSpec s = parseSpec();
        return weights == null ? Model.fromSpec(s) : Model.fromSpec(s, ModelWeights.load(s, weights).asSource());
    }
}
