package io.convjob.job.input;

import org.apache.spark.sql.SparkSession;
import scala.jdk.javaapi.CollectionConverters;

import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;

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

    /** The reading session of each caller's session (weak keys: a session nobody uses any more drops out). */
    private static final Map<SparkSession, SparkSession> READING = Collections.synchronizedMap(new WeakHashMap<>());

    /**
     * The session for reading Parquet tensors on behalf of {@code spark}: {@code spark}'s context with every runtime
     * setting of {@code spark}'s (Hadoop ones such as {@code fs.s3a.endpoint} included), so the read batch can be sized
     * ({@link #sizeFor}) without changing the caller's session. One per caller session, kept from run to run: Spark 4
     * keys its cache of generated code by the session's class loader, so a fresh session per run would compile each
     * query's code again (Janino in every task, then the JIT on new classes).
     */
    public static SparkSession session(SparkSession spark) {
        SparkSession reading = READING.computeIfAbsent(spark, SparkSession::newSession);
        synchronized (reading) {
            Map<String, String> wanted = CollectionConverters.asJava(spark.conf().getAll());
            for (String key : CollectionConverters.asJava(reading.conf().getAll()).keySet()) {
                if (!wanted.containsKey(key)) unset(reading, key); // the caller unset it since the last run
            }
            wanted.forEach((key, value) -> {
                if (value.equals(reading.conf().get(key, null))) return; // the context's settings: shared already
                try {
                    reading.conf().set(key, value);
                } catch (RuntimeException e) {
                    // a static or core setting differing only in the caller's session: the new session keeps the context's
                }
            });
        }
        return reading;
    }

    private static void unset(SparkSession reading, String key) {
        try {
            reading.conf().unset(key);
        } catch (RuntimeException e) {
            // a static or core setting: not the caller's to change either
        }
    }

    /** Sets {@code reading}'s read batch for tensors of {@code elements} floats (before the frame is executed). */
    public static void sizeFor(SparkSession reading, long elements) {
        int configured = Integer.parseInt(reading.conf().get(BATCH_SIZE, "4096"));
        reading.conf().set(BATCH_SIZE, Integer.toString(rows(configured, elements)));
    }
}
