package io.convjob.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import io.convjob.arrow.CompressedIpc;
import io.convjob.arrow.TensorCompression;
import io.convjob.arrow.TensorFileWriter;
import io.convjob.storage.Storage;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.compression.CompressionUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code apply --compression} and {@code bench --model} end to end. */
class ThroughputCommandsTest {
    @TempDir Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"lz4", "zstd"})
    void applyWritesCompressedBatchesWithTheSameValues(String codec) throws IOException {
        Path dir = ApplyCommandTest.conformance().resolve("hand_00_conv2d");
        Path plain = tmp.resolve("plain.arrow");
        Path compressed = tmp.resolve(codec + ".arrow");
        List<String> common = List.of("apply", "--spec", dir.resolve("spec.json").toString(),
                "--weights", dir.resolve("weights.safetensors").toString(), "--input", dir.resolve("input.arrow").toString());
        CliRun a = CliRun.of(concat(common, "--output", plain.toString()));
        assertEquals(0, a.code(), a.err());
        CliRun b = CliRun.of(concat(common, "--output", compressed.toString(), "--compression", codec));
        assertEquals(0, b.code(), b.err());

        assertEquals(CompressionUtil.CodecType.NO_COMPRESSION, CompressedIpc.codecOf(plain));
        assertEquals(codec.equals("lz4") ? CompressionUtil.CodecType.LZ4_FRAME : CompressionUtil.CodecType.ZSTD, CompressedIpc.codecOf(compressed));
        ApplyCommandTest.Rows x = ApplyCommandTest.readArrow(plain);
        ApplyCommandTest.Rows y = ApplyCommandTest.readArrow(compressed);
        assertArrayEquals(x.ids(), y.ids());
        assertArrayEquals(x.values(), y.values(), "compression is lossless");

        // a compressed input gives the same output
        Path compressedInput = tmp.resolve("input-" + codec + ".arrow");
        ApplyCommandTest.Rows input = ApplyCommandTest.readArrow(dir.resolve("input.arrow"));
        try (BufferAllocator allocator = new RootAllocator()) {
            TensorFileWriter.writeFile(Storage.standard().createAtomic(Storage.local(compressedInput)), input.ids(), input.values(),
                    input.shape(), 2, allocator, TensorCompression.parse(codec));
        }
        Path fromCompressed = tmp.resolve("from-compressed.arrow");
        CliRun c = CliRun.of("apply", "--spec", dir.resolve("spec.json").toString(), "--weights", dir.resolve("weights.safetensors").toString(),
                "--input", compressedInput.toString(), "--output", fromCompressed.toString());
        assertEquals(0, c.code(), c.err());
        assertArrayEquals(x.values(), ApplyCommandTest.readArrow(fromCompressed).values());
    }

    @Test
    void anUnknownCompressionIsOneLineExitTwo() {
        Path dir = ApplyCommandTest.conformance().resolve("hand_00_conv2d");
        CliRun run = CliRun.of("apply", "--spec", dir.resolve("spec.json").toString(), "--input", dir.resolve("input.arrow").toString(),
                "--output", tmp.resolve("y.arrow").toString(), "--compression", "gzip");
        assertEquals(2, run.code());
        assertTrue(run.err().contains("compression must be none, lz4 or zstd, got 'gzip'"), run.err());
        assertTrue(Files.notExists(tmp.resolve("y.arrow")));
    }

    @Test
    void benchModelPrintsEveryPathAndItsRatioToTheModelAlone() throws IOException {
        Path spec = Path.of(System.getProperty("convjob.root", "..")).resolve("conf/specs/feature-stack.json");
        Path json = tmp.resolve("bench.json");
        CliRun run = CliRun.of("bench", "--model", spec.toString(), "--input-shape", "3,16,16", "--rows", "24",
                "--batch-size", "8", "--threads", "1", "--files", "2", "--rows-per-record-batch", "5",
                "--work-dir", tmp.toString(), "--json", json.toString());
        assertEquals(0, run.code(), run.err());
        for (String label : List.of("model alone", "apply (in this JVM, warm)", "run --master local[1], 2 files", "Spark start-up",
                "the same run again (same session)",
                "DataFrame: Parquet in, 2 files", "DataFrame: Parquet in, --partitions 2",
                "pure I/O: apply 1x1 3->3", "cp of the input file", "% of model alone")) {
            assertTrue(run.out().contains(label), label + " in:\n" + run.out());
        }
        JsonNode results = new ObjectMapper().readTree(json.toFile()).get("results");
        List<String> paths = new ArrayList<>();
        for (JsonNode r : results) {
            paths.add(r.get("path").asText());
            assertEquals(24, r.get("rows").asLong(), r.toString());
            assertTrue(r.get("samples_per_second").asDouble() > 0, r.toString());
            assertTrue(r.get("ratio_to_model").asDouble() > 0, r.toString());
        }
        assertEquals(List.of("model", "apply", "run_local", "run_local_again", "dataframe", "dataframe_partitions", "pure_io", "cp"), paths, "no ./convjob apply without the launcher");
        assertEquals(1.0, results.get(0).get("ratio_to_model").asDouble(), 1e-9);
        try (var left = Files.list(tmp)) {
            assertEquals(List.of(json), left.toList(), "the generated files are deleted");
        }
    }

    private static String[] concat(List<String> head, String... tail) {
        List<String> all = new ArrayList<>(head);
        all.addAll(List.of(tail));
        return all.toArray(String[]::new);
    }
}
