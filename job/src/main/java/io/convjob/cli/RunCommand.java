package io.convjob.cli;

import io.convjob.arrow.TensorCompression;
import io.convjob.arrow.TensorFileReader;
import io.convjob.format.TensorFormat;
import io.convjob.job.BadRowPolicy;
import io.convjob.job.ConvolutionJob;
import io.convjob.job.JobOptions;
import io.convjob.job.JobSummary;
import io.convjob.format.TensorFormat;
import io.convjob.job.frame.ConvOptions;
import io.convjob.job.input.TensorInput;
import io.convjob.storage.Storage;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Applies the model on Spark to a tensor dataset or image files.",
                "Writes Arrow IPC tensor files or Parquet: the tensor column replaced by the output (new shape in",
                "its metadata), other columns unchanged."})
public final class RunCommand implements Callable<Integer> {
    @Spec CommandLine.Model.CommandSpec command;
    @Mixin CommonOptions common;
    @Mixin ModelOptions model;

    @Option(names = "--input", required = true, paramLabel = "PATH",
            description = "A directory, file or glob of Arrow IPC tensor files, or of Parquet.")
    String input;

    @Option(names = "--output", required = true, paramLabel = "DIR", description = "Output directory; must not exist unless --overwrite.")
    String output;

    @Option(names = "--master", paramLabel = "URL",
            description = "Spark master, e.g. local[4] or spark://host:7077. Default: spark-submit's, else local[*].")
    String master;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "" + ConvOptions.DEFAULT_BATCH_SIZE,
            description = "Rows per model call (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--input-format", paramLabel = "arrow|parquet|image", converter = FormatConverter.class,
            description = {"Input storage. Default: parquet if the path names or holds .parquet files, else arrow.",
                    "image: image files (PNG, JPEG, ...), one row per file, id = its path, preprocessed as the spec's",
                    "\"preprocess\" section says."})
    TensorFormat inputFormat;

    @Option(names = "--output-format", paramLabel = "arrow|parquet", defaultValue = "arrow",
            converter = OutputFormatConverter.class,
            description = {"Output: Arrow IPC tensor files (default), or Parquet with the tensor as array<float> and",
                    "its shape in the ARROW:schema footer entry, as pyarrow writes it."})
    TensorFormat outputFormat;

    @Option(names = "--vector", description = {"Parquet output: also write the output as a Spark ML vector column",
            "'" + JobOptions.VECTOR_COLUMN + "' (VectorUDT), for KMeans, PCA, LSH, ..."})
    boolean vector;

    @Option(names = "--compression", paramLabel = "none|lz4|zstd", defaultValue = "none", converter = CompressionOption.class,
            description = "Arrow output: compress record batches with LZ4_FRAME or ZSTD, as apply does (default: ${DEFAULT-VALUE}). "
                    + "Parquet output takes Spark's spark.sql.parquet.compression.codec instead.")
    TensorCompression compression;

    @Option(names = "--column", paramLabel = "NAME", defaultValue = TensorFileReader.DEFAULT_COLUMN,
            description = "The tensor column (default: ${DEFAULT-VALUE}).")
    String column;

    @Option(names = "--shape", paramLabel = "C,D1,...",
            description = "Sample shape, when the input's metadata does not give it (Parquet without Arrow schema).")
    String shape;

    @Option(names = "--overwrite", description = "Replace an existing output directory.")
    boolean overwrite;

    @Option(names = "--on-bad-row", paramLabel = "fail|skip", defaultValue = "fail", converter = PolicyConverter.class,
            description = {"A null or wrong-length tensor, or an unreadable image, fails the job (default),",
                    "or is skipped and recorded in DIR/_rejected (id, file, reason)."})
    BadRowPolicy onBadRow;

    @Option(names = "--partitions", paramLabel = "N", defaultValue = "0",
            description = "Repartition the input into N partitions (default: keep the input's).")
    int partitions;

    @Option(names = "--conf", paramLabel = "KEY=VALUE",
            description = "A Spark setting, as spark-submit takes it (repeatable): spark.* and spark.hadoop.* "
                    + "(e.g. spark.hadoop.fs.s3a.endpoint=http://127.0.0.1:9000).")
    java.util.List<String> conf = new java.util.ArrayList<>();

    @Option(names = "--allow-incomplete-input",
            description = "Read input directories that a job is writing or left unfinished (_temporary, a lock, no _SUCCESS).")
    boolean allowIncompleteInput;

    @Override
    public Integer call() {
        if (batchSize < 1) throw new CommandLine.ParameterException(command.commandLine(), "--batch-size must be >= 1, got " + batchSize);
        if (partitions < 0) throw new CommandLine.ParameterException(command.commandLine(), "--partitions must be >= 0, got " + partitions);
        if (vector && outputFormat != TensorFormat.PARQUET) {
            throw new CommandLine.ParameterException(command.commandLine(), "--vector needs --output-format parquet");
        }
        if (compression != TensorCompression.NONE && outputFormat != TensorFormat.ARROW) {
            throw new CommandLine.ParameterException(command.commandLine(), JobOptions.PARQUET_COMPRESSION);
        }
        JobOptions options = new JobOptions(model.spec, model.weights, input, output, master, batchSize, inputFormat,
                column, shape == null ? null : ShapeOption.parse(command.commandLine(), "--shape", shape), overwrite, onBadRow,
                partitions, sparkConf(), allowIncompleteInput, outputFormat, vector, compression);
        if (model.weightsPrefix != null) model.parseSpec(Storage.standard()); // an equinox spec: refused before Spark starts
        JobSummary summary = ConvolutionJob.run(options, model.weightsLoader());
        command.commandLine().getOut().print(summary.format());
        command.commandLine().getOut().flush();
        return ExitCodes.OK;
    }

    /** {@code --conf key=value} pairs; Spark's own keys only, as spark-submit accepts them. */
    private Map<String, String> sparkConf() {
        Map<String, String> settings = new java.util.LinkedHashMap<>();
        for (String entry : conf) {
            int eq = entry.indexOf('=');
            if (eq <= 0) {
                throw new CommandLine.ParameterException(command.commandLine(), "--conf must be KEY=VALUE, got '" + entry + "'");
            }
            String key = entry.substring(0, eq).strip();
            if (!key.startsWith("spark.")) {
                throw new CommandLine.ParameterException(command.commandLine(), "--conf " + key
                        + ": only spark.* settings (Hadoop's as spark.hadoop.*), as spark-submit takes them");
            }
            settings.put(key, entry.substring(eq + 1));
        }
        return settings;
    }

    static final class FormatConverter implements CommandLine.ITypeConverter<TensorFormat> {
        @Override public TensorFormat convert(String value) {
            try {
                return TensorFormat.named(value, TensorInput.READABLE);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    static final class OutputFormatConverter implements CommandLine.ITypeConverter<TensorFormat> {
        @Override public TensorFormat convert(String value) {
            try {
                return TensorFormat.named(value, ConvolutionJob.WRITABLE);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    static final class PolicyConverter implements CommandLine.ITypeConverter<BadRowPolicy> {
        @Override public BadRowPolicy convert(String value) {
            return switch (value.toLowerCase(Locale.ROOT)) {
                case "fail" -> BadRowPolicy.FAIL;
                case "skip" -> BadRowPolicy.SKIP;
                default -> throw new CommandLine.TypeConversionException("'" + value + "' is not fail or skip");
            };
        }
    }
}
