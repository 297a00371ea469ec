package io.convjob.cli;

import io.convjob.arrow.TensorFileReader;
import io.convjob.io.NamedTensor;
import io.convjob.io.NpyReader;
import io.convjob.io.NpyWriter;
import io.convjob.io.SafetensorsReader;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code convjob apply} and {@code init} end to end, on the conformance files pyarrow and equinox wrote. */
class ApplyCommandTest {
    @TempDir Path tmp;

    static Path conformance() {
        String dir = System.getProperty("conformance.dir");
        return dir != null ? Path.of(dir) : Path.of("../../shared/conformance");
    }

    static Stream<String> arrowCases() throws IOException {
        try (Stream<Path> dirs = Files.list(conformance())) {
            List<String> names = dirs.filter(d -> Files.exists(d.resolve("input.arrow")))
                    .map(d -> d.getFileName().toString()).sorted().toList();
            assertTrue(names.size() >= 25, "expected the conformance cases with Arrow files, found " + names.size());
            return names.stream();
        }
    }

    record Rows(long[] ids, int[] shape, float[] values) {}

    static Rows readArrow(Path file) {
        try (BufferAllocator allocator = new RootAllocator();
             TensorFileReader reader = TensorFileReader.open(file, allocator)) {
            int n = Math.toIntExact(reader.rowCount());
            long[] ids = new long[n];
            float[] values = new float[n * reader.elementCount()];
            int row = 0;
            while (reader.loadNextBatch()) {
                BigIntVector id = (BigIntVector) reader.root().getVector("id");
                for (int r = 0; r < reader.batchRows(); r++) ids[row + r] = id.get(r);
                reader.copyTensors(values, row * reader.elementCount());
                row += reader.batchRows();
            }
            return new Rows(ids, reader.shape(), values);
        }
    }

    static void assertClose(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what + ": size");
        double scale = 0;
        double err = 0;
        for (int i = 0; i < expected.length; i++) {
            scale = Math.max(scale, Math.abs(expected[i]));
            err = Math.max(err, Math.abs(expected[i] - actual[i]));
        }
        assertTrue(err <= 1e-5 * scale || err == 0, what + ": max error " + err + " of " + scale);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("arrowCases")
    void applyOnPyarrowFilesGivesExpectedArrow(String name) {
        Path dir = conformance().resolve(name);
        Path out = tmp.resolve("y.arrow");
        CliRun run = CliRun.of("apply", "--spec", dir.resolve("spec.json").toString(),
                "--input", dir.resolve("input.arrow").toString(), "--output", out.toString(), "--batch-size", "3");
        assertEquals(0, run.code(), run.err());
        Rows expected = readArrow(dir.resolve("expected.arrow"));
        Rows actual = readArrow(out);
        assertArrayEquals(expected.ids(), actual.ids(), "ids pass through");
        assertArrayEquals(expected.shape(), actual.shape(), "shape in the extension metadata");
        assertClose(expected.values(), actual.values(), name);
    }

    @Test
    void applyOnNpyWithWeightFile() {
        Path dir = conformance().resolve("hand_00_conv2d");
        Map<String, NamedTensor> golden;
        float[] y;
        try (SafetensorsReader r = SafetensorsReader.open(dir.resolve("golden.safetensors"))) {
            NamedTensor x = r.read("x");
            y = r.read("y").data();
            NpyWriter.write(tmp.resolve("x.npy"), x);
        }
        Path out = tmp.resolve("y.npy");
        CliRun run = CliRun.of("apply", "--spec", dir.resolve("spec.json").toString(),
                "--weights", dir.resolve("weights.safetensors").toString(),
                "--input", tmp.resolve("x.npy").toString(), "--output", out.toString());
        assertEquals(0, run.code(), run.err());
        assertClose(y, NpyReader.read(out).data(), "hand_00_conv2d via .npy");
    }

    @Test
    void initWritesEquinoxWeightsBitForBit() {
        for (String name : List.of("hand_00_conv2d", "stack_autoencoder2d", "convt3d_010")) {
            Path dir = conformance().resolve(name);
            if (!Files.isDirectory(dir)) continue;
            Path out = tmp.resolve(name + ".safetensors");
            CliRun run = CliRun.of("init", "--spec", dir.resolve("spec.json").toString(), "--output", out.toString());
            assertEquals(0, run.code(), run.err());
            Map<String, NamedTensor> ours = SafetensorsReader.readAll(out);
            Map<String, NamedTensor> theirs = SafetensorsReader.readAll(dir.resolve("weights.safetensors"));
            assertEquals(theirs.keySet(), ours.keySet(), name);
            theirs.forEach((k, t) -> {
                assertArrayEquals(t.shape(), ours.get(k).shape(), name + " " + k);
                assertArrayEquals(t.data(), ours.get(k).data(), name + " " + k);
            });
        }
    }

    @Test
    void describePrintsShapesParametersAndMacs() {
        Path spec = conformance().resolve("stack_autoencoder2d/spec.json");
        CliRun run = CliRun.of("describe", "--spec", spec.toString(), "--input-shape", "3,16,16");
        assertEquals(0, run.code(), run.err());
        assertTrue(run.out().contains("[8, 8, 8]") && run.out().contains("[3, 16, 16]"), run.out());
        assertTrue(run.out().contains("443"), "total parameters 224 + 219:\n" + run.out());
    }

    static List<String> errorLines(CliRun run) {
        List<String> lines = new ArrayList<>();
        for (String l : run.err().split("\\R")) if (!l.isBlank() && !l.startsWith("WARNING: Using incubator")) lines.add(l);
        return lines;
    }
}
