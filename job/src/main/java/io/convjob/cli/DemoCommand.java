package io.convjob.cli;

import io.convjob.job.ConvolutionJob;
import io.convjob.job.JobOptions;
import io.convjob.job.JobSummary;
import io.convjob.sample.SampleData;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Runs the job in local mode on the bundled sample dataset with conf/specs/demo-stack.json.",
                "--images: the bundled image set through conf/specs/image-features.json to Parquet feature vectors,",
                "then the nearest neighbours of a few images by cosine similarity."})
public final class DemoCommand implements Callable<Integer> {
    @Spec CommandLine.Model.CommandSpec command;
    @Mixin CommonOptions common;

    @Option(names = "--spec", paramLabel = "SPEC.json",
            description = "Spec to run (default: conf/specs/demo-stack.json, with --images conf/specs/image-features.json).")
    Path spec;

    @Option(names = "--images", description = "Image files in, feature vectors out (see above).")
    boolean images;

    @Option(names = "--output", paramLabel = "DIR",
            description = "Output directory, replaced on each run (default: target/demo-output, with --images target/demo-images-output).")
    Path output;

    @Option(names = "--master", paramLabel = "URL", defaultValue = "local[*]", description = "Spark master (default: ${DEFAULT-VALUE}).")
    String master;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "16", description = "Rows per model call (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Override
    public Integer call() throws IOException {
        Path work = Path.of(System.getProperty("convjob.home", "."), "target");
        if (images) {
            Path home = Path.of(System.getProperty("convjob.home", "."));
            return new ImageDemo(command.commandLine().getOut()).run(spec != null ? spec : ImageDemo.defaultSpec(home), work,
                    output != null ? output : work.resolve("demo-images-output"), master, batchSize);
        }
        Path specFile = spec != null ? spec : defaultSpec();
        Path input = work.resolve("demo-input");
        deleteRecursively(input);
        SampleData.extract(input);
        Path out = output != null ? output : work.resolve("demo-output");
        PrintWriter console = command.commandLine().getOut();
        console.printf("demo: %d Arrow files x %d rows of %s from the sample dataset, copied to %s%n", SampleData.FILES,
                SampleData.ROWS_PER_FILE, Arrays.toString(SampleData.shape()), input);
        console.printf("demo: spec %s, master %s%n", specFile, master);
        console.flush();
        JobSummary summary = ConvolutionJob.run(JobOptions.of(specFile, input.toString(), out.toString())
                .withMaster(master).withBatchSize(batchSize).withOverwrite(true));
        console.print(summary.format());
        console.printf("demo: the output is in %s (read it with spark.read.format(\"arrow-tensor\"))%n", out);
        console.flush();
        return ExitCodes.OK;
    }

    private static Path defaultSpec() {
        String home = System.getProperty("convjob.home", ".");
        return Path.of(home, "conf", "specs", "demo-stack.json");
    }

    static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) return;
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clear " + dir, e);
        }
    }
}
