package io.convjob.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.spark.launcher.JavaModuleOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code apply} on local files in a fresh JVM, as {@code ./convjob} starts it, never starts Hadoop (no FileSystem,
 * configuration, user and group lookup, shell or metrics class is loaded) nor Log4j (each costs start-up time), logs
 * nothing, and the output is the one an in-process apply writes.
 */
class LocalApplyWithoutHadoopTest {
    /** Classes whose loading means Hadoop's file system machinery started. */
    private static final List<String> HADOOP_START_UP = List.of("org.apache.hadoop.fs.FileSystem ", "org.apache.hadoop.conf.Configuration ",
            "org.apache.hadoop.security.UserGroupInformation ", "org.apache.hadoop.util.Shell ", "org.apache.hadoop.metrics2.",
            "org.apache.hadoop.fs.RawLocalFileSystem ", "org.apache.spark.");

    @TempDir Path dir;

    @Test
    void aLocalApplyLoadsNoHadoopFileSystemAndWritesWhatAnInProcessApplyWrites() throws Exception {
        Path input = dir.resolve("in");
        assertEquals(0, CliRun.of("generate", "--output", input.toString(), "--rows", "24", "--rows-per-batch", "10", "--shape", "3,16,16").code());
        Path spec = Path.of(System.getProperty("convjob.root", "..")).resolve("conf/specs/feature-stack.json").toAbsolutePath();
        Path expected = dir.resolve("expected.arrow");
        CliRun inProcess = CliRun.of("apply", "--spec", spec.toString(), "--input", input.resolve("part-00000.arrow").toString(),
                "--output", expected.toString(), "--threads", "1");
        assertEquals(0, inProcess.code(), inProcess.err());

        Path classes = dir.resolve("classes.txt");
        // relative paths, resolved against the child's working directory as Hadoop's local file system would
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(Arrays.asList(JavaModuleOptions.defaultModuleOptionArray()));
        command.addAll(List.of("--add-modules=jdk.incubator.vector", "-Xmx512m", "-Xlog:class+load=info:file=" + classes,
                "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "apply", "--spec", spec.toString(), "--input", "in/part-00000.arrow", "--output", "out/y.arrow", "--threads", "1"));
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), out);
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("wrote out/y.arrow: 24 samples"), out);

        String loaded = Files.readString(classes);
        assertTrue(loaded.contains("io.convjob.arrow.TensorFileWriter "), "the class log covers the whole run");
        for (String hadoop : HADOOP_START_UP) assertTrue(!loaded.contains(hadoop), hadoop + "was loaded by a local apply");
        assertTrue(loaded.contains("io.convjob.cli.logging.LogFileLogger "), "Arrow's loggers come from the light backend");
        assertTrue(!loaded.contains("org.apache.logging.log4j.core."), "Log4j was started by a local apply");
        assertTrue(!out.contains("SLF4J"), out);
        assertEquals(-1, Files.mismatch(expected, dir.resolve("out/y.arrow")), "same bytes as the in-process apply");
        assertTrue(!Files.exists(dir.resolve("convjob.log")), "nothing worth a log line happened");
        assertEquals(List.of("y.arrow"), Files.list(dir.resolve("out")).map(f -> f.getFileName().toString()).toList());
    }
}
