package io.convjob.cli;

import io.convjob.job.frame.ConvOptions;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The options of {@code convjob bench --model}: the end-to-end benchmark ({@link ThroughputBench}). */
final class ThroughputOptions {
    @Option(names = "--model", paramLabel = "SPEC.json",
            description = {"End-to-end rates of this model (with --input-shape): the model alone, apply (in-process and as "
                    + "the apply command), run on Spark in local mode, the pure-I/O case and cp, each as a ratio to the "
                    + "model alone."})
    Path model;

    @Option(names = "--rows", defaultValue = "8192", paramLabel = "N", description = "With --model: rows to push through each path (default: ${DEFAULT-VALUE}).")
    int rows;

    @Option(names = "--batch-size", defaultValue = "" + ConvOptions.DEFAULT_BATCH_SIZE, paramLabel = "B",
            description = "With --model: samples per kernel call (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--files", defaultValue = "8", paramLabel = "F", description = "With --model: files the Spark run reads (default: ${DEFAULT-VALUE}).")
    int files;

    @Option(names = "--rows-per-record-batch", defaultValue = "256", paramLabel = "R",
            description = "With --model: rows per Arrow record batch of the generated files (default: ${DEFAULT-VALUE}).")
    int rowsPerBatch;

    @Option(names = "--work-dir", paramLabel = "DIR",
            description = "With --model: where the generated files go, deleted at the end (default: the temporary directory).")
    Path workDir;
}
