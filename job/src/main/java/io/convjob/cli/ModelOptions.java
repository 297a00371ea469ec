package io.convjob.cli;

import io.convjob.Model;
import io.convjob.job.model.SpecText;
import io.convjob.job.model.WeightsLoader;
import io.convjob.spec.ModelSpec;
import io.convjob.spec.SpecParser;
import io.convjob.storage.Storage;
import picocli.CommandLine.Option;

/**
 * {@code --spec}, {@code --weights} and {@code --weights-prefix}: the model a command runs, checked when loaded;
 * any Hadoop path.
 */
public final class ModelOptions {
    @Option(names = "--spec", required = true, paramLabel = "SPEC.json",
            description = "Layer spec: one layer or {\"layers\": [...]} with equinox's argument names, or"
                    + " {\"framework\": \"pytorch\", \"layers\": [...]} with torch.nn's. Local or any Hadoop path"
                    + " (hdfs://, s3a://, ...).")
    public String spec;

    @Option(names = "--weights", paramLabel = "FILE",
            description = "Weights: .safetensors, equinox .eqx (tree_serialise_leaves) or .npy; for a PyTorch spec a"
                    + " torch.save state dict (.pt/.pth) or torch-named .safetensors; local or any Hadoop path. "
                    + "Default: initialise from the spec's keys, bit for bit as equinox.")
    public String weights;

    @Option(names = "--weights-prefix", paramLabel = "PREFIX",
            description = "PyTorch spec: the sub-module its layers are in, e.g. 'features.' (default: the spec's"
                    + " weights_prefix, else the top level).")
    public String weightsPrefix;

    public ModelSpec parseSpec(Storage storage) {
        ModelSpec s = SpecParser.parse(SpecText.read(storage, spec));
        return weightsPrefix == null ? s : s.withWeightsPrefix(weightsPrefix);
    }

    /** What reads {@code --weights} for this command's spec. */
    public WeightsLoader weightsLoader() {
        return WeightsLoader.withPrefix(weightsPrefix);
    }

    /** The model, its weights checked against Java's limits and the heap before any is drawn or read. */
    public Model load(Storage storage) {
        ModelSpec s = parseSpec(storage);
        io.convjob.plan.ResourcePlan.checkWeights(s, io.convjob.plan.MemoryBudget.heap());
        if (weights == null) return Model.fromSpec(s);
        return Model.fromSpec(s, storage.withLocalFile("--weights", weights, f -> WeightsLoader.standard().load(s, f)));
    }
}
