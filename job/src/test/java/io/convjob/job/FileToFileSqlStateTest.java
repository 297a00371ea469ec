package io.convjob.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.convjob.job.model.WeightsLoader;
import java.lang.reflect.Field;
import java.nio.file.Path;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code run}'s file-to-file path (Arrow in and out) uses nothing of Spark SQL, so it must not build the session's
 * SQL state (warehouse, file systems, URL handlers: a quarter of the driver's time before a session's first job).
 * Its own session, as the CLI starts one: the test classes' shared sessions have built that state already.
 */
class FileToFileSqlStateTest {

    private static final Path E2E = Conformance.datasetE2e();

    @Test
    void aFileToFileRunLeavesSparkSqlUnbuilt(@TempDir Path tmp) throws ReflectiveOperationException {
        Path out = tmp.resolve("out");
        JobOptions options = JobOptions.of(E2E.resolve("spec.json"), E2E.resolve("input").toString(), out.toString())
                .withMaster("local[2]").withBatchSize(48).withSparkConf(Map.of("spark.ui.enabled", "false"));
        SparkSession spark = ConvolutionJob.session(options);
        try {
            assertFalse(sqlStateBuilt(spark), "a fresh session");
            JobSummary summary = new ConvolutionJob(WeightsLoader.standard()).run(spark, options);

            assertEquals(192, summary.rows());
            TensorDirs.assertMatches(TensorDirs.read(E2E.resolve("expected")), TensorDirs.read(out));
            assertFalse(sqlStateBuilt(spark), "the file-to-file run built Spark SQL's shared state");
            spark.conf().get("spark.sql.shuffle.partitions"); // Spark SQL's first use builds it: the check sees that
            assertTrue(sqlStateBuilt(spark));
        } finally {
            spark.stop();
        }
    }

    /** Whether the session's lazily built {@code sharedState} exists (Spark has no public way to ask). */
    private static boolean sqlStateBuilt(SparkSession spark) throws ReflectiveOperationException {
        Field shared = spark.getClass().getDeclaredField("sharedState");
        shared.setAccessible(true);
        return shared.get(spark) != null;
    }
}
