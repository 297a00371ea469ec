package io.convjob.cli;

import io.convjob.Model;
import io.convjob.job.model.WeightsLoader;
import io.convjob.spec.ModelSpec;
import io.convjob.spec.SpecParser;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** {@code --spec}, {@code --weights} and {@code --weights-prefix}: the model a command runs, checked when loaded. */
public final class ModelOptions {
    @Option(names = "--spec", required = true, paramLabel = "SPEC.json",
            description = "Layer spec: one layer or {\"layers\": [...]} with equinox's argument names, or"
                    + " {\"framework\": \"pytorch\", \"layers\": [...]} with torch.nn's.")
    public Path spec;

    @Option(names = "--weights", paramLabel = "FILE",
            description = "Weights: .safetensors, equinox .eqx (tree_serialise_leaves) or .npy; for a PyTorch spec a"
                    + " torch.save state dict (.pt/.pth) or torch-named .safetensors. "
                    + "Default: initialise from the spec's keys, bit for bit as equinox.")
    public Path weights;

    @Option(names = "--weights-prefix", paramLabel = "PREFIX",
            description = "PyTorch spec: the sub-module its layers are in, e.g. 'features.' (default: the spec's"
                    + " weights_prefix, else the top level).")
    public String weightsPrefix;

    public ModelSpec parseSpec() {
        ModelSpec s = SpecParser.parse(spec);
        return weightsPrefix == null ? s : s.withWeightsPrefix(weightsPrefix);
    }

    /** What reads {@code --weights} for this command's spec. */
    public WeightsLoader weightsLoader() {
        return WeightsLoader.withPrefix(weightsPrefix);
    }

    public Model load() {
        ModelSpec s = parseSpec();
        return weights == null ? Model.fromSpec(s) : Model.fromSpec(s, WeightsLoader.standard().load(s, weights));
    }
}
