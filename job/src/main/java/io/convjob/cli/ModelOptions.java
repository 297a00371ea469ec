package io.convjob.cli;

import io.convjob.Model;
import io.convjob.ModelWeights;
import io.convjob.job.model.SpecText;
import io.convjob.spec.ModelSpec;
import io.convjob.spec.SpecParser;
import io.convjob.storage.Storage;
import picocli.CommandLine.Option;

/** {@code --spec} and {@code --weights}: the model a command runs, checked when loaded; any Hadoop path. */
public final class ModelOptions {
    @Option(names = "--spec", required = true, paramLabel = "SPEC.json",
            description = "Layer spec: one layer or {\"layers\": [...]}, keys as equinox's arguments. Local or any Hadoop path (hdfs://, s3a://, ...).")
    public String spec;

    @Option(names = "--weights", paramLabel = "FILE",
            description = "Weights: .safetensors, equinox .eqx (tree_serialise_leaves) or .npy; local or any Hadoop path. "
                    + "Default: initialise from the spec's keys, bit for bit as equinox.")
    public String weights;

    public ModelSpec parseSpec(Storage storage) {
        return SpecParser.parse(SpecText.read(storage, spec));
    }

    public Model load(Storage storage) {
        ModelSpec s = parseSpec(storage);
        if (weights == null) return Model.fromSpec(s);
        return Model.fromSpec(s, storage.withLocalFile("--weights", weights, f -> ModelWeights.load(s, f)).asSource());
    }
}
