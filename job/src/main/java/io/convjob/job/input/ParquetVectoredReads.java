package io.convjob.job.input;

import io.convjob.storage.Storage;
import org.apache.spark.sql.SparkSession;

/**
 * Parquet's vectored reads ({@code parquet.hadoop.vectored.io.enabled}, on by default in the Parquet 1.17 Spark
 * ships), turned off for Parquet input on the local disk. There Hadoop serves a vectored read through an
 * {@code AsynchronousFileChannel}: each row group's tensor chunk (tens of MB: Spark reads a whole row group at once)
 * is filled by a thread of the JDK's own pool while the task waits, and queries measured more CPU than with the
 * task reading the chunk itself. Other file systems (HDFS, S3A: ranged requests in parallel) keep Parquet's default.
 */
public final class ParquetVectoredReads {
    private ParquetVectoredReads() {}

    /** Parquet's setting (a Hadoop one). */
    public static final String ENABLED = "parquet.hadoop.vectored.io.enabled";

    /**
     * The read option to give a Parquet read of {@code path} on the caller's behalf: {@code "false"} for a local
     * path, unless the caller set {@link #ENABLED} (in the session, or as {@code spark.hadoop.*} in its context);
     * else null (Parquet's default, or the caller's value, applies).
     */
    public static String optionFor(SparkSession caller, Storage storage, String path) {
        if (caller.conf().contains(ENABLED) || caller.sparkContext().hadoopConfiguration().get(ENABLED) != null) return null;
        String scheme = storage.qualify(storage.path("--input", path)).toUri().getScheme();
        return "file".equalsIgnoreCase(scheme) ? "false" : null;
    }
}
