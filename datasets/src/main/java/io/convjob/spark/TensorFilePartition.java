package io.convjob.spark;

import org.apache.spark.sql.connector.read.InputPartition;

/**
 * One input partition: record batches {@code [firstBatch, firstBatch + batchCount)} of one file, or (for the IPC
 * stream format, {@code batchCount == -1}) the whole file. Plain data, serialised to executors.
 */
public record TensorFilePartition(String path, int firstBatch, int batchCount) implements InputPartition {
    public static final int WHOLE_STREAM = -1;
}
