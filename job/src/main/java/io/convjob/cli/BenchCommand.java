package io.convjob.cli;

import io.convjob.bench.BenchOptions;
import io.convjob.bench.BenchResult;
import io.convjob.bench.BenchSuite;
import io.convjob.error.InputException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Times the kernels on the standard configurations: each is first checked against the reference "
                + "implementation, then timed after warm-up.",
                "Reports median and min..max GFLOP/s, ms per call, and % of the FMA peak that a Vector API FMA loop "
                        + "measures in the same run at the same thread count."})
public final class BenchCommand implements Callable<Integer> {
    @Spec CommandLine.Model.CommandSpec command;
    @Mixin CommonOptions common;

    @Option(names = "--threads", split = ",", paramLabel = "T",
            description = "Thread counts, e.g. 1,2 (default: 1 and all cores).")
    int[] threads;

    @Option(names = "--suite", defaultValue = "standard", paramLabel = "standard|quick",
            description = "standard: full sizes; quick: small sizes, under 30 s (default: ${DEFAULT-VALUE}).")
    String suite;

    @Option(names = "--config", split = ",", paramLabel = "NAME", description = "Only these configurations.")
    List<String> configs = List.of();

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the results as JSON.")
    Path json;

    @Override public Integer call() throws IOException {
        int cores = Runtime.getRuntime().availableProcessors();
        int[] t = threads != null ? threads : (cores > 1 ? new int[] {1, cores} : new int[] {1});
        BenchOptions options;
        try {
            options = new BenchOptions(suite, t, configs);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(command.commandLine(), e.getMessage());
        }
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true);
        List<BenchResult> results;
        try {
            results = BenchSuite.run(options, out);
        } catch (IllegalArgumentException e) {
            throw new InputException(e.getMessage());
        }
        if (json != null) {
            Path tmp = Files.createTempFile(json.toAbsolutePath().getParent(), ".bench", ".json");
            Files.writeString(tmp, BenchResult.toJson(results));
            Files.move(tmp, json, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            out.println("wrote " + json);
        }
        return ExitCodes.OK;
    }
}
