package io.convjob.job.input;

import org.apache.spark.sql.SparkSession;
import scala.jdk.javaapi.CollectionConverters;

/**
 * How many rows Spark's vectorized Parquet reader decodes at a time for a tensor column. Spark's default,
 * {@code spark.sql.parquet.columnarReaderBatchSize} = 4096 rows, counts rows, not values: for tensors it means
 * on-heap vectors of 4096 tensors (200 MB for (3, 64, 64), 2.4 GB for (3, 224, 224)), grown afresh by doubling in
 * every file a task opens. A batch of about {@link #BATCH_BYTES} is reused from batch to batch instead.
 */
public final class ParquetReadBatch {
    private ParquetReadBatch() {}

    /** Spark's setting (rows per columnar batch of the vectorized Parquet reader). */
    public static final String BATCH_SIZE = "spark.sql.parquet.columnarReaderBatchSize";
    /** Tensor bytes a read batch holds at most (at least one row). */
    public static final long BATCH_BYTES = 2L << 20;

    /**
     * Rows per read batch for tensors of {@code elements} floats: the session's setting, or fewer so a batch holds
     * at most {@link #BATCH_BYTES}.
     */
    public static int rows(int configured, long elements) {
        long rowBytes = Math.max(1L, elements * Float.BYTES);
        return (int) Math.max(1, Math.min(configured, BATCH_BYTES / rowBytes));
    }

    /**
     * A session for reading Parquet tensors: {@code spark}'s context and every runtime setting of its own (Hadoop
     * ones such as {@code fs.s3a.endpoint} included), so the read batch can be sized ({@link #sizeFor}) without
     * changing the caller's session.
     */
    public static SparkSession session(SparkSession spark) {
        SparkSession reading = spark.newSession();
        CollectionConverters.asJava(spark.conf().getAll()).forEach((key, value) -> {
            if (value.equals(reading.conf().get(key, null))) return; // the context's settings: shared already
            try {
                reading.conf().set(key, value);
            } catch (RuntimeException e) {
                // a static or core setting differing only in the caller's session: the new session keeps the context's
            }
        });
        return reading;
    }

    /** Sets {@code reading}'s read batch for tensors of {@code elements} floats (before the frame is executed). */
    public static void sizeFor(SparkSession reading, long elements) {
        int configured = Integer.parseInt(reading.conf().get(BATCH_SIZE, "4096"));
        reading.conf().set(BATCH_SIZE, Integer.toString(rows(configured, elements)));
    }
}
