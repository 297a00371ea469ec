package io.convjob.cli;

import io.convjob.io.NamedTensor;
import io.convjob.io.NpyWriter;
import io.convjob.job.TensorDirs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The pooling layers wherever a stack runs: {@code apply} on the pyarrow files of ../shared/conformance-pool
 * (weights from the keys, {@code weights.safetensors} and {@code model.eqx}), {@code describe}, the driver's
 * shape check, and the Spark job (file to file, and through a DataFrame).
 */
class PoolingCommandsTest {
    @TempDir Path tmp;

    static Path poolConformance() {
        String dir = System.getProperty("conformance.pool.dir");
        return dir != null ? Path.of(dir) : Path.of("../../shared/conformance-pool");
    }

    static Stream<String> arrowCases() throws IOException {
        try (Stream<Path> dirs = Files.list(poolConformance())) {
            List<String> names = dirs.filter(d -> Files.exists(d.resolve("input.arrow")))
                    .map(d -> d.getFileName().toString()).sorted().toList();
            assertTrue(names.size() >= 18, "expected the pooling cases with Arrow files, found " + names.size());
            return names.stream();
        }
    }

    private void assertApplyGivesExpected(Path dir, String... extra) {
        Path out = tmp.resolve("y.arrow");
        List<String> args = new java.util.ArrayList<>(List.of("apply", "--spec", dir.resolve("spec.json").toString(),
                "--input", dir.resolve("input.arrow").toString(), "--output", out.toString(), "--batch-size", "2"));
        args.addAll(List.of(extra));
        CliRun run = CliRun.of(args.toArray(String[]::new));
        assertEquals(0, run.code(), run.err());
        ApplyCommandTest.Rows expected = ApplyCommandTest.readArrow(dir.resolve("expected.arrow"));
        ApplyCommandTest.Rows actual = ApplyCommandTest.readArrow(out);
        assertArrayEquals(expected.ids(), actual.ids(), "ids pass through");
        assertArrayEquals(expected.shape(), actual.shape(), "shape in the extension metadata");
        ApplyCommandTest.assertClose(expected.values(), actual.values(), dir.getFileName() + " " + List.of(extra));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("arrowCases")
    void applyOnPyarrowFilesGivesEquinoxsOutput(String name) {
        Path dir = poolConformance().resolve(name);
        assertApplyGivesExpected(dir);
        for (String weights : List.of("weights.safetensors", "model.eqx")) {
            if (Files.exists(dir.resolve(weights))) assertApplyGivesExpected(dir, "--weights", dir.resolve(weights).toString());
        }
    }

    @Test
    void describeShowsPoolingRowsAndShapes() {
        Path spec = poolConformance().resolve("stack_pool_features2d/spec.json");
        CliRun run = CliRun.of("describe", "--spec", spec.toString(), "--input-shape", "3,12,10");
        assertEquals(0, run.code(), run.err());
        assertTrue(run.out().contains("MaxPool2d") && run.out().contains("k=[2, 2] s=[2, 2]")
                && run.out().contains("[8, 6, 5]"), run.out());
        assertTrue(run.out().contains("AdaptiveAvgPool2d") && run.out().contains("target=[1, 1]")
                && run.out().contains("[16, 1, 1]"), run.out());
        // parameters: 8*3*9 + 8 + 16*8*9 + 16 = 1392
        assertTrue(run.out().contains("1,392"), run.out());
    }

    @Test
    void inputSizeEquinoxRefusesAtCallTimeIsOneLineBeforeAnyWork() {
        Path spec = tmp.resolve("ceil.json");
        Path x = tmp.resolve("x.npy");
        try {
            Files.writeString(spec, "{\"layers\": [{\"layer\": \"relu\"},"
                    + " {\"layer\": \"MaxPool1d\", \"kernel_size\": 2, \"stride\": 3, \"use_ceil\": true}]}");
            NpyWriter.write(x, NamedTensor.of("x", new int[] {2, 1, 7}, new float[14]));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        CliRun run = CliRun.of("apply", "--spec", spec.toString(), "--input", x.toString(),
                "--output", tmp.resolve("y.npy").toString());
        assertEquals(2, run.code(), run.err());
        assertEquals(List.of("error: layers[1].padding: use_ceil raises the right padding of spatial dim 0 to 3"
                + " (padding 0 + stride 3) for input size 7, more than kernel_size 2 (equinox refuses this when called)"),
                ApplyCommandTest.errorLines(run));
        assertTrue(Files.notExists(tmp.resolve("y.npy")), "nothing written");
    }

    @Test
    void sparkJobRunsAPoolingStackFileToFileAndThroughADataFrame() throws IOException {
        Path dir = poolConformance().resolve("stack_pool_features2d");
        Path input = Files.createDirectories(tmp.resolve("in"));
        Files.copy(dir.resolve("input.arrow"), input.resolve("part-0.arrow"));
        TensorDirs expected = TensorDirs.read(dir.resolve("expected.arrow"));
        for (List<String> extra : List.of(List.<String>of(), List.of("--partitions", "2"))) {
            Path output = tmp.resolve("out" + extra.size());
            List<String> args = new java.util.ArrayList<>(List.of("run", "--spec", dir.resolve("spec.json").toString(),
                    "--weights", dir.resolve("model.eqx").toString(), "--input", input.toString(),
                    "--output", output.toString(), "--master", "local[2]", "--batch-size", "2"));
            args.addAll(extra);
            CliRun run = CliRun.of(args.toArray(String[]::new));
            assertEquals(0, run.code(), run.err());
            assertTrue(run.out().contains("shape [3, 12, 10] -> [16, 1, 1]"), run.out());
            TensorDirs.assertMatches(expected, TensorDirs.read(output));
        }
    }
}
