package io.convjob.job;

import io.convjob.arrow.TensorCompression;
import io.convjob.arrow.TensorFileReader;
import io.convjob.format.TensorFormat;
import io.convjob.job.frame.ConvOptions;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * What {@code convjob run} takes.
 *
 * @param spec        the model spec (JSON); any Hadoop path (local, hdfs://, s3a://, ...)
 * @param weights     a weight file (any Hadoop path), or null when the spec's layers have keys
 * @param input       a directory, file or glob of Arrow IPC tensor files or Parquet (any Hadoop path)
 * @param output      the output directory (any Hadoop path)
 * @param master      the Spark master, or null for the one spark-submit set (else {@code local[*]})
 * @param batchSize   rows per {@code Model.run} call
 * @param inputFormat the input storage, or null to tell from the path
 * @param column      the tensor column
 * @param shape       the sample shape {@code (C, D1, ...)}, or null to take it from the input's metadata
 * @param overwrite   replace an existing output directory
 * @param onBadRow    fail on a bad row or record it under {@code _rejected}
 * @param partitions  repartition the input into this many partitions, or 0 to keep the input's
 * @param sparkConf   extra Spark settings for a session the job creates
 * @param allowIncompleteInput read input directories that hold unfinished output (a lock, {@code _temporary},
 *                    or part files without {@code _SUCCESS})
 * @param outputFormat Arrow IPC tensor files or Parquet
 * @param vector      Parquet only: add the output as a Spark ML vector column {@value #VECTOR_COLUMN}
 * @param compression Arrow output only: how record batches are compressed (Parquet takes Spark's
 *                    {@code spark.sql.parquet.compression.codec})
 */
public record JobOptions(String spec, String weights, String input, String output, String master, int batchSize,
        TensorFormat inputFormat, String column, int[] shape, boolean overwrite, BadRowPolicy onBadRow, int partitions,
        Map<String, String> sparkConf, boolean allowIncompleteInput, TensorFormat outputFormat, boolean vector,
        TensorCompression compression) {

    /** The Spark ML vector column {@code --vector} adds: Spark ML's default features column. */
    public static final String VECTOR_COLUMN = "features";
    /** Why {@code --compression} other than none is refused with Parquet output. */
    public static final String PARQUET_COMPRESSION = "--compression applies to Arrow output; Parquet output takes its codec"
            + " from Spark's spark.sql.parquet.compression.codec (e.g. --conf spark.sql.parquet.compression.codec=zstd)";


    public JobOptions {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(output, "output");
        Objects.requireNonNull(column, "column");
        Objects.requireNonNull(onBadRow, "onBadRow");
        Objects.requireNonNull(outputFormat, "outputFormat");
        Objects.requireNonNull(compression, "compression");
        if (vector && outputFormat != TensorFormat.PARQUET) {
            throw new IllegalArgumentException("a vector column needs Parquet output");
        }
        if (compression != TensorCompression.NONE && outputFormat != TensorFormat.ARROW) {
            throw new IllegalArgumentException(PARQUET_COMPRESSION);
        }
        if (batchSize < 1) throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        if (partitions < 0) throw new IllegalArgumentException("partitions must be >= 0, got " + partitions);
        shape = shape == null ? null : shape.clone();
        sparkConf = Map.copyOf(sparkConf);
    }

    /** The defaults of {@code convjob run}. */
    public static JobOptions of(String spec, String input, String output) {
        return new JobOptions(spec, null, input, output, null, ConvOptions.DEFAULT_BATCH_SIZE, null, TensorFileReader.DEFAULT_COLUMN,
                null, false, BadRowPolicy.FAIL, 0, Map.of(), false, TensorFormat.ARROW, false,
                TensorCompression.NONE);
    }

    /** {@link #of(String, String, String)} with a local spec file. */
    public static JobOptions of(Path spec, String input, String output) {
        return of(spec.toString(), input, output);
    }

    public JobOptions withWeights(Path w) { return withWeights(w == null ? null : w.toString()); }

    public JobOptions withWeights(String w) { return new JobOptions(spec, w, input, output, master, batchSize, inputFormat, column, shape, overwrite, onBadRow, partitions, sparkConf, allowIncompleteInput, outputFormat, vector, compression); }
    public JobOptions withMaster(String m) { return new JobOptions(spec, weights, input, output, m, batchSize, inputFormat, column, shape, overwrite, onBadRow, partitions, sparkConf, allowIncompleteInput, outputFormat, vector, compression); }
    public JobOptions withBatchSize(int b) { return new JobOptions(spec, weights, input, output, master, b, inputFormat, column, shape, overwrite, onBadRow, partitions, sparkConf, allowIncompleteInput, outputFormat, vector, compression); }
    public JobOptions withTensorFormat(TensorFormat f) { return new JobOptions(spec, weights, input, output, master, batchSize, f, column, shape, overwrite, onBadRow, partitions, sparkConf, allowIncompleteInput, outputFormat, vector, compression); }
    public JobOptions withColumn(String c) { return new JobOptions(spec, weights, input, output, master, batchSize, inputFormat, c, shape, overwrite, onBadRow, partitions, sparkConf, allowIncompleteInput, outputFormat, vector, compression); }
    public JobOptions withShape(int[] s) { return new JobOptions(spec, weights, input, output, master, batchSize, inputFormat, column, s, overwrite, onBadRow, partitions, sparkConf, allowIncompleteInput, outputFormat, vector, compression); }
    public JobOptions withOverwrite(boolean o) { return new JobOptions(spec, weights, input, output, master, batchSize, inputFormat, column, shape, o, onBadRow, partitions, sparkConf, allowIncompleteInput, outputFormat, vector, compression); }
    public JobOptions withOnBadRow(BadRowPolicy p) { return new JobOptions(spec, weights, input, output, master, batchSize, inputFormat, column, shape, overwrite, p, partitions, sparkConf, allowIncompleteInput, outputFormat, vector, compression); }
    public JobOptions withPartitions(int p) { return new JobOptions(spec, weights, input, output, master, batchSize, inputFormat, column, shape, overwrite, onBadRow, p, sparkConf, allowIncompleteInput, outputFormat, vector, compression); }
    public JobOptions withSparkConf(Map<String, String> c) { return new JobOptions(spec, weights, input, output, master, batchSize, inputFormat, column, shape, overwrite, onBadRow, partitions, c, allowIncompleteInput, outputFormat, vector, compression); }

    public JobOptions withAllowIncompleteInput(boolean a) { return new JobOptions(spec, weights, input, output, master, batchSize, inputFormat, column, shape, overwrite, onBadRow, partitions, sparkConf, a, outputFormat, vector, compression); }

    public JobOptions withOutput(TensorFormat f, boolean v) { return new JobOptions(spec, weights, input, output, master, batchSize, inputFormat, column, shape, overwrite, onBadRow, partitions, sparkConf, allowIncompleteInput, f, v, compression); }

    public JobOptions withCompression(TensorCompression c) { return new JobOptions(spec, weights, input, output, master, batchSize, inputFormat, column, shape, overwrite, onBadRow, partitions, sparkConf, allowIncompleteInput, outputFormat, vector, c); }

    @Override public int[] shape() { return shape == null ? null : shape.clone(); }
}
