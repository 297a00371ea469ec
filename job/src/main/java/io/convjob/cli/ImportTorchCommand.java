package io.convjob.cli;

import io.convjob.job.model.SpecText;
import io.convjob.spec.ModelSpec;
import io.convjob.spec.WeightNaming;
import io.convjob.torch.TorchImport;
import io.convjob.torch.TorchWeights;
import io.convjob.storage.Storage;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "import-torch", mixinStandardHelpOptions = true,
        description = {"Rewrites a PyTorch spec and state dict in equinox's form.",
                "Writes a .safetensors of layers.{i}.weight/bias in equinox's layouts and the equivalent equinox",
                "spec, for every other command (and equinox)."})
public final class ImportTorchCommand implements Callable<Integer> {
    @Spec CommandLine.Model.CommandSpec command;
    @Mixin CommonOptions common;

    @Option(names = "--spec", required = true, paramLabel = "TORCH.json",
            description = "The model as {\"framework\": \"pytorch\", \"layers\": [...]} (torch.nn names and defaults).")
    String spec;

    @Option(names = "--weights", required = true, paramLabel = "FILE",
            description = "The state dict: torch.save(model.state_dict()) (.pt/.pth) or safetensors.torch.save_file;"
                    + " local or any Hadoop path.")
    String weights;

    @Option(names = "--weights-prefix", paramLabel = "PREFIX",
            description = "The sub-module the layers are in, e.g. 'features.' (default: the spec's weights_prefix).")
    String weightsPrefix;

    @Option(names = "--output", required = true, paramLabel = "W.safetensors",
            description = "Where to write the equinox-layout weights; written whole or not at all.")
    Path output;

    @Option(names = "--spec-output", paramLabel = "SPEC.json",
            description = "Where to write the equinox spec (default: --output with .json for .safetensors).")
    Path specOutput;

    @Override public Integer call() {
        String name = output.getFileName().toString();
        if (!name.endsWith(".safetensors")) {
            throw new CommandLine.ParameterException(command.commandLine(), "--output must end in .safetensors, got " + output);
        }
        Path specOut = specOutput != null ? specOutput
                : output.resolveSibling(name.substring(0, name.length() - ".safetensors".length()) + ".json");
        Storage storage = Storage.standard();
        ModelSpec parsed = io.convjob.spec.SpecParser.parse(SpecText.read(storage, spec));
        if (!(parsed.naming() instanceof WeightNaming.PyTorch)) {
            throw new CommandLine.ParameterException(command.commandLine(), "--spec " + spec
                    + " is in equinox's form; import-torch reads {\"framework\": \"pytorch\", \"layers\": [...]}");
        }
        ModelSpec model = weightsPrefix == null ? parsed : parsed.withWeightsPrefix(weightsPrefix);
        int layers = storage.withLocalFile("--weights", weights,
                local -> TorchImport.write(model, TorchWeights.open(local), output, specOut));
        command.commandLine().getOut().println("wrote " + output + " (" + layers + " conv layers, equinox layout) and "
                + specOut);
        return ExitCodes.OK;
    }
}
