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
                "Reports median and min..max GFLOP/s, ms per call, and %% of the FMA peak that a Vector API FMA loop "
                        + "measures in the same run at the same thread count."})
public final class BenchCommand implements Callable<Integer> {
    @Spec CommandLine.Model.CommandSpec command;
    @Mixin CommonOptions common;
    @Mixin ThroughputOptions throughput;

    @Option(names = "--threads", split = ",", paramLabel = "T", converter = PositiveInt.class,
            description = "Thread counts, e.g. 1,2 (default: 1 and all cores).")
    int[] threads;

    @Option(names = "--suite", defaultValue = "standard", paramLabel = "standard|quick",
            description = "standard: full sizes; quick: small sizes, under 30 s (default: ${DEFAULT-VALUE}).")
    String suite;

    @Option(names = "--config", split = ",", paramLabel = "NAME", description = "Only these configurations.")
    List<String> configs = List.of();

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the results as JSON.")
    Path json;

    @Option(names = "--spec", paramLabel = "SPEC.json",
            description = "Profile this model instead of the suite: each layer's time and pooling's share.")
    Path spec;

    @Option(names = "--input-shape", paramLabel = "C,D1,...", description = "With --spec: one sample's shape.")
    String inputShapeText;

    @Option(names = "--batch", defaultValue = "16", paramLabel = "N",
            description = "With --spec: samples per call (default: ${DEFAULT-VALUE}).")
    int batch;

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
        if (throughput.model != null) return endToEnd(threads != null ? threads[threads.length - 1] : cores);
        if (spec != null) return profile(t, out);
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

    /** {@code --model}: the end-to-end rates ({@link ThroughputBench}). */
    private int endToEnd(int threadCount) throws IOException {
        CommandLine cl = command.commandLine();
        java.io.PrintWriter out = cl.getOut();
        if (inputShapeText == null) throw new CommandLine.ParameterException(cl, "--model needs --input-shape C,D1,...");
        if (throughput.rows < 1 || throughput.batchSize < 1 || throughput.files < 1 || throughput.rowsPerBatch < 1 || threadCount < 1) {
            throw new CommandLine.ParameterException(cl, "--rows, --batch-size, --files, --rows-per-record-batch and --threads must be >= 1");
        }
        var settings = new ThroughputBench.Settings(throughput.model, ShapeOption.parse(cl, "--input-shape", inputShapeText),
                throughput.rows, throughput.batchSize, threadCount, throughput.files, throughput.rowsPerBatch,
                throughput.workDir != null ? throughput.workDir : Path.of(System.getProperty("java.io.tmpdir")));
        var results = ThroughputBench.run(settings, out);
        if (json != null) {
            Path tmp = Files.createTempFile(json.toAbsolutePath().getParent(), ".bench", ".json");
            Files.writeString(tmp, ThroughputBench.toJson(settings, results));
            Files.move(tmp, json, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            out.println("wrote " + json);
        }
        return ExitCodes.OK;
    }

    /** {@code --spec}: every layer of the model timed on its real input, at each thread count. */
    private int profile(int[] threadCounts, PrintStream out) {
        if (inputShapeText == null) {
            throw new CommandLine.ParameterException(command.commandLine(), "--spec needs --input-shape C,D1,...");
        }
        if (batch < 1) throw new CommandLine.ParameterException(command.commandLine(), "--batch: must be >= 1");
        int[] inputShape = ShapeOption.parse(command.commandLine(), "--input-shape", inputShapeText);
        io.convjob.spec.ModelSpec modelSpec = io.convjob.spec.SpecParser.parse(spec);
        io.convjob.shape.ModelChecks.checkInputShape(modelSpec, inputShape);
        io.convjob.Model model = io.convjob.Model.fromSpec(modelSpec);
        double seconds = "quick".equals(suite) ? 0.3 : 1.5;
        out.printf(java.util.Locale.ROOT, "engine %s, JVM %s, %d CPUs; %s on %s%n", io.convjob.fast.Engines.get().name(),
                Runtime.version(), Runtime.getRuntime().availableProcessors(), spec, java.util.Arrays.toString(inputShape));
        for (int t : threadCounts) {
            out.print(io.convjob.bench.LayerProfile.measure(model, inputShape, batch, t, seconds).toTable());
        }
        return ExitCodes.OK;
    }
}
