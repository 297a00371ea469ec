package io.convjob.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Path;
import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;

/** A run that {@code ./convjob} starts against a cluster gives the executors the kernels' JIT options. */
class ExecutorJitOptionsTest {
    private static KernelJitOptions options() {
        return KernelJitOptions.read(Path.of(System.getProperty("convjob.root", "..")).toAbsolutePath().resolve(KernelJitOptions.FILE));
    }

    @Test
    void aClusterRunStartedByTheLauncherGivesTheExecutorsTheOptionsUnlessDefaultsAreSet() {
        String before = System.getProperty("convjob.home");
        System.setProperty("convjob.home", Path.of(System.getProperty("convjob.root", "..")).toAbsolutePath().toString());
        try {
            SparkConf cluster = new SparkConf().setMaster("spark://127.0.0.1:7077");
            ConvolutionJob.giveExecutorsJitOptions(cluster);
            assertEquals(options().joined(), cluster.get("spark.executor.defaultJavaOptions"));

            SparkConf own = new SparkConf().setMaster("spark://127.0.0.1:7077").set("spark.executor.defaultJavaOptions", "-Xss4m");
            ConvolutionJob.giveExecutorsJitOptions(own);
            assertEquals("-Xss4m", own.get("spark.executor.defaultJavaOptions"));

            SparkConf local = new SparkConf().setMaster("local[2]");
            ConvolutionJob.giveExecutorsJitOptions(local);
            assertFalse(local.contains("spark.executor.defaultJavaOptions"));
        } finally {
            if (before == null) System.clearProperty("convjob.home");
            else System.setProperty("convjob.home", before);
        }
    }
}
