package io.convjob.job;

import io.convjob.job.model.WeightsLoader;
import io.convjob.job.frame.ConvPartitionFunction;
import io.convjob.spec.SpecParser;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The job on a real standalone cluster (Master + 2 Workers as separate JVMs on 127.0.0.1), the app jar shipped as
 * the thin {@code -spark.jar} through {@code spark.jars}, on the default Arrow file-to-file path with a task that
 * fails once and is retried: the output equals local mode's and equinox's, every row exactly once.
 */
class ClusterIT {

    private static final Path E2E = Conformance.datasetE2e();

    /** The default path: Arrow files in, file to file (no --partitions, no --on-bad-row skip). */
    private static JobOptions options(Path output) {
        return JobOptions.of(E2E.resolve("spec.json"), E2E.resolve("input").toString(), output.toString())
                .withBatchSize(7);
    }

    @Test
    void clusterOutputEqualsLocalOutput(@TempDir Path tmp) throws IOException {
        Path sparkJar = Path.of(System.getProperty("convjob.sparkJar"));
        assertTrue(Files.exists(sparkJar), "build the thin jar first (mvn package): " + sparkJar);
        List<Path> sparkJars = Arrays.stream(Files.readString(Path.of(System.getProperty("convjob.launcherClasspath")))
                        .trim().split(":"))
                .filter(p -> !p.contains("convjob-")).map(Path::of).toList();
        List<String> flags = Arrays.asList(System.getProperty("spark.jvm.flags").trim().split("\\s+"));

        Path clusterOut = tmp.resolve("cluster-out");
        JobSummary clusterSummary;
        try (StandaloneCluster cluster = new StandaloneCluster(tmp, sparkJars, flags)) {
            cluster.start(2);
            SparkConf conf = new SparkConf().setMaster(cluster.masterUrl()).setAppName("convjob ClusterIT")
                    .set("spark.jars", sparkJar.toString())
                    .set("spark.home", cluster.home().toString())
                    .set("spark.driver.host", "127.0.0.1")
                    .set("spark.driver.bindAddress", "127.0.0.1")
                    .set("spark.executor.memory", "512m")
                    .set("spark.cores.max", "2")
                    .set("spark.executor.extraJavaOptions", String.join(" ", flags))
                    .set("spark.ui.enabled", "false")
                    // the first attempt of partition 0 fails after a batch: the retry must not write a row twice
                    .set(ConvPartitionFunction.FAIL_FIRST_ATTEMPT, "true")
                    // start only when both workers' executors are up, so tasks really spread over two JVMs
                    .set("spark.scheduler.minRegisteredResourcesRatio", "1.0")
                    .set("spark.scheduler.maxRegisteredResourcesWaitingTime", "90s");
            SparkSession spark = SparkSession.builder().config(conf).getOrCreate();
            try {
                assertEquals(2, awaitExecutors(spark, 2, 90), cluster.logs());
                long driverParses = SpecParser.parseCount();
                clusterSummary = new ConvolutionJob(WeightsLoader.standard()).run(spark, options(clusterOut));
                assertEquals(1, SpecParser.parseCount() - driverParses, "the driver parses the spec once");
                // each executor JVM parsed the broadcast spec at most once, whatever number of tasks it ran; asked
                // through SQL's reflect (a lambda of this test class would not load on the executors)
                List<Row> executorParses = spark.range(0, 16, 1, 16).selectExpr(
                        "reflect('java.lang.System', 'getProperty', 'sun.java.command') AS jvm",
                        "reflect('io.convjob.spec.SpecParser', 'parseCount') AS parses").distinct().collectAsList();
                long parsed = 0;
                for (Row executor : executorParses) {
                    long count = Long.parseLong(executor.getString(1));
                    assertTrue(count <= 1, "executor parses: " + executorParses);
                    parsed += count;
                }
                assertTrue(parsed >= 1, "executor parses: " + executorParses);
            } catch (RuntimeException | AssertionError e) {
                throw new AssertionError(e.getMessage() + "\n" + cluster.logs(), e);
            } finally {
                spark.stop();
            }
        }

        Path localOut = tmp.resolve("local-out");
        SparkSession local = SparkSession.builder().master("local[2]").appName("convjob ClusterIT local")
                .config("spark.ui.enabled", "false").getOrCreate();
        try {
            new ConvolutionJob(WeightsLoader.standard()).run(local, options(localOut));
        } finally {
            local.stop();
        }

        assertEquals(192, clusterSummary.rows());
        TensorDirs clusterRows = TensorDirs.read(clusterOut);
        TensorDirs.assertMatches(TensorDirs.read(localOut), clusterRows);
        TensorDirs.assertMatches(TensorDirs.read(E2E.resolve("expected")), clusterRows);
    }

    /** Executors registered (the driver excluded), waiting up to {@code seconds}. */
    private static int awaitExecutors(SparkSession spark, int wanted, int seconds) {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        int count = 0;
        while (System.nanoTime() < deadline) {
            count = spark.sparkContext().getExecutorMemoryStatus().size() - 1;
            if (count >= wanted) return count;
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return count;
    }
}
