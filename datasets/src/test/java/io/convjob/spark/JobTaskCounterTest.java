package io.convjob.spark;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.spark.api.java.JavaFutureAction;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A failed job's other tasks keep running for a while (Spark does not interrupt them by default); the counter must
 * not report the job ended before they have.
 */
class JobTaskCounterTest {
    private static SparkSession spark;

    @BeforeAll
    static void startSpark() {
        spark = SparkSession.builder().master("local[2]").appName("JobTaskCounterTest")
                .config("spark.ui.enabled", "false").getOrCreate();
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
    }

    /** Partition 0 fails at once; partition 1 sleeps, then leaves {@code marker} behind as its last act. */
    private static JavaFutureAction<List<Integer>> failFastWhileOneSleeps(Path marker, long sleepMillis) {
        String markerPath = marker.toString();
        return JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(List.of(0, 1), 2)
                .mapPartitionsWithIndex((partition, rows) -> {
                    if (partition == 0) throw new IllegalStateException("planted failure");
                    try {
                        Thread.sleep(sleepMillis);
                    } finally {
                        Files.writeString(Path.of(markerPath), "ended");
                    }
                    return rows;
                }, false).collectAsync();
    }

    @Test
    void aFailedJobEndsOnlyWhenItsSlowTaskHasEnded(@TempDir Path dir) throws Exception {
        Path marker = dir.resolve("slow-task-ended");
        try (JobTaskCounter counter = JobTaskCounter.listen(spark.sparkContext())) {
            JavaFutureAction<List<Integer>> job = failFastWhileOneSleeps(marker, 1500);
            assertThrows(ExecutionException.class, job::get);
            assertTrue(counter.awaitEnded(job.jobIds(), 30, TimeUnit.SECONDS));
            assertTrue(Files.exists(marker), "the counter said ended while the slow task still ran");
        }
    }

    @Test
    void aTaskStillRunningAtTheTimeoutIsReported(@TempDir Path dir) throws Exception {
        Path marker = dir.resolve("slow-task-ended");
        try (JobTaskCounter counter = JobTaskCounter.listen(spark.sparkContext())) {
            JavaFutureAction<List<Integer>> job = failFastWhileOneSleeps(marker, 4000);
            assertThrows(ExecutionException.class, job::get);
            assertFalse(counter.awaitEnded(job.jobIds(), 200, TimeUnit.MILLISECONDS));
            assertTrue(counter.awaitEnded(job.jobIds(), 30, TimeUnit.SECONDS));
            assertTrue(Files.exists(marker));
        }
    }
}
