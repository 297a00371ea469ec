package io.convjob.cli;

import io.convjob.Model;
import io.convjob.ModelWeights;
import io.convjob.io.SafetensorsWriter;
import io.convjob.spec.ModelSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "init", mixinStandardHelpOptions = true,
        description = "Writes the weights equinox initialises from the spec's keys, bit for bit, as .safetensors.")
public final class InitCommand implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec command;
    @Mixin CommonOptions common;

    @Option(names = "--spec", required = true, paramLabel = "SPEC.json", description = "Layer spec with keys.")
    Path spec;

    @Option(names = "--output", required = true, paramLabel = "W.safetensors",
            description = "Where to write weight/bias (layers.{i}.weight/bias for a stack); written whole or not at all.")
    Path output;

    @Override public Integer call() throws java.io.IOException {
        if (!output.getFileName().toString().endsWith(".safetensors")) {
            throw new picocli.CommandLine.ParameterException(command.commandLine(),
                    "--output must end in .safetensors, got " + output);
        }
        if (java.nio.file.Files.isDirectory(output)) {
            throw new io.convjob.error.InputException("--output " + output + ": is a directory; name a .safetensors file");
        }
        OutputLocation.checkLocal("--output", output.toString());
        ModelSpec model = io.convjob.spec.SpecParser.parse(spec);
        // a weight no array holds, or weights beyond the heap: refused before any is drawn
        io.convjob.plan.ResourcePlan.checkWeights(model, io.convjob.plan.MemoryBudget.heap());
        Model m = Model.fromSpec(model);
        StaleTemporaries.remove(output, command.commandLine().getErr());
        SafetensorsWriter.write(output, ModelWeights.namedTensors(model, m.parameters()),
                Map.of("spec", java.nio.file.Files.readString(spec), "producer", "convjob init"));
        command.commandLine().getOut().println("wrote " + output + " (" + m.parameters().size() + " conv layers)");
        return ExitCodes.OK;
    }
}
