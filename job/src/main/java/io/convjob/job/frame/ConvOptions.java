package io.convjob.job.frame;

import io.convjob.arrow.TensorFileReader;

/**
 * How {@link Convolutions#apply(org.apache.spark.sql.Dataset, String, ConvOptions)} applies a model.
 *
 * @param inputCol   the {@code array<float>} tensor column
 * @param outputCol  the result column; equal to {@code inputCol} to replace it
 * @param batchSize  rows per model call
 * @param inputShape the sample shape, or null to take it from the input column's metadata
 * @param weights    a weight file read on the driver (any Hadoop path), or null when the spec's layers have keys
 */
public record ConvOptions(String inputCol, String outputCol, int batchSize, int[] inputShape, String weights) {

    /** Rows per model call unless told otherwise, for every entry point (run, apply, the DataFrame API). */
    public static final int DEFAULT_BATCH_SIZE = 64;

    public ConvOptions {
        if (batchSize < 1) throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        inputShape = inputShape == null ? null : inputShape.clone();
    }

    /** Replace column {@code tensor}, 64 rows per batch, shape from metadata, weights from keys. */
    public static ConvOptions defaults() {
        return new ConvOptions(TensorFileReader.DEFAULT_COLUMN, TensorFileReader.DEFAULT_COLUMN, DEFAULT_BATCH_SIZE, null,
                null);
    }

    @Override public int[] inputShape() { return inputShape == null ? null : inputShape.clone(); }
}
