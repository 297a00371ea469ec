package io.convjob.arrow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.compression.CompressionUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * LZ4_FRAME and ZSTD record batches both ways with the real pyarrow (the test virtualenv, {@code .ci/pyenv}):
 * files pyarrow compressed are read here value for value, and files written here with {@code --compression} are
 * read by pyarrow. Each written file's batches carry the codec asked for (read from the IPC metadata).
 */
class CompressedIpcInteropTest {
    private static final int ROWS = 7;
    private static final int[] SHAPE = {2, 3};

    /** The script's values: {@code row * 0.5 - k / 7}, row 3 null. */
    private static float[] expectedRow(int row) {
        float[] v = new float[6];
        for (int k = 0; k < 6; k++) v[k] = (float) (row * 0.5 - k / 7.0);
        return v;
    }

    @ParameterizedTest
    @ValueSource(strings = {"py-lz4.arrow", "py-zstd.arrow", "py-lz4.arrows", "py-zstd.arrows"})
    void readsWhatPyarrowCompressed(String name, @TempDir Path dir) throws Exception {
        python("write", dir.toString());
        Path file = dir.resolve(name);
        if (name.endsWith(".arrow")) {
            CompressionUtil.CodecType expected = name.contains("lz4") ? CompressionUtil.CodecType.LZ4_FRAME : CompressionUtil.CodecType.ZSTD;
            assertEquals(expected, CompressedIpc.codecOf(file), "pyarrow wrote compressed batches");
        }
        try (BufferAllocator allocator = new RootAllocator();
             TensorFileReader reader = TensorFileReader.open(file, allocator)) {
            assertArrayEquals(SHAPE, reader.shape());
            int row = 0;
            while (reader.loadNextBatch()) {
                BigIntVector ids = (BigIntVector) reader.root().getVector("id");
                for (int r = 0; r < reader.batchRows(); r++, row++) {
                    assertEquals(100 + row, ids.get(r));
                    if (row == 3) {
                        int at = r;
                        TensorFormatException e = assertThrows(TensorFormatException.class, () -> reader.copyTensors(at, 1, new float[6], 0));
                        assertTrue(e.getMessage().contains("row 3 is null"), e.getMessage());
                        continue;
                    }
                    float[] got = new float[6];
                    reader.copyTensors(r, 1, got, 0);
                    assertArrayEquals(expectedRow(row), got, name + " row " + row);
                }
            }
            assertEquals(ROWS, row);
        }
    }

    @ParameterizedTest
    @EnumSource(TensorCompression.class)
    void pyarrowReadsWhatWeCompressed(TensorCompression compression, @TempDir Path dir) throws Exception {
        Path file = dir.resolve("java-" + compression.optionName() + ".arrow");
        try (BufferAllocator allocator = new RootAllocator();
             TensorFileWriter writer = TensorFileWriter.create(file, TensorFileWriter.idTensorSchema(SHAPE), "tensor", allocator)) {
            assertEquals(TensorCompression.NONE, writer.compression());
        }
        try (BufferAllocator allocator = new RootAllocator();
             TensorFileWriter writer = TensorFileWriter.create(
                     io.convjob.storage.Storage.standard().createAtomic(io.convjob.storage.Storage.local(file)),
                     TensorFileWriter.idTensorSchema(SHAPE), "tensor", allocator, compression)) {
            for (int from = 0; from < ROWS; from += 3) {
                int rows = Math.min(3, ROWS - from);
                BigIntVector ids = (BigIntVector) writer.root().getVector("id");
                for (int r = 0; r < rows; r++) {
                    int row = from + r;
                    ids.setSafe(r, 100 + row);
                    if (row == 3) writer.tensorVector().setNull(r);
                    else writer.tensorVector().writeRow(r, expectedRow(row), 0);
                }
                writer.writeRoot(rows);
            }
            writer.commit();
        }
        assertEquals(compression.codec(), CompressedIpc.codecOf(file));
        JsonNode seen = CompressedIpc.readWithPyarrow(file);
        assertTrue(seen.get("extension").asText().contains("arrow.fixed_shape_tensor"), seen.toString());
        for (int row = 0; row < ROWS; row++) {
            assertEquals(100 + row, seen.get("ids").get(row).asLong());
            JsonNode values = seen.get("values").get(row);
            if (row == 3) {
                assertTrue(values.isNull(), "row 3 is null: " + values);
                continue;
            }
            float[] got = new float[6];
            for (int k = 0; k < 6; k++) got[k] = (float) values.get(k).asDouble();
            assertArrayEquals(expectedRow(row), got, compression + " row " + row);
        }
    }

    @Test
    void compressionShrinksCompressibleTensorsAndReadsBackExactly(@TempDir Path dir) {
        int rows = 64;
        int[] shape = {4, 32, 32};
        int n = 4 * 32 * 32;
        float[] data = new float[rows * n];
        for (int i = 0; i < data.length; i++) data[i] = (i / 97) % 5; // runs of equal values: compressible
        long[] ids = new long[rows];
        for (int i = 0; i < rows; i++) ids[i] = i;
        long plain = 0;
        for (TensorCompression c : TensorCompression.values()) {
            Path file = dir.resolve(c.optionName() + ".arrow");
            try (BufferAllocator allocator = new RootAllocator()) {
                TensorFileWriter.writeFile(io.convjob.storage.Storage.standard().createAtomic(io.convjob.storage.Storage.local(file)),
                        ids, data, shape, 16, allocator, c);
                try (TensorFileReader reader = TensorFileReader.open(file, allocator)) {
                    float[] back = new float[rows * n];
                    int at = 0;
                    while (reader.loadNextBatch()) {
                        reader.copyTensors(back, at);
                        at += reader.batchRows() * n;
                    }
                    assertArrayEquals(data, back, c.toString());
                }
            }
            long size = size(file);
            if (c == TensorCompression.NONE) plain = size;
            else assertTrue(size * 4 < plain, c + ": " + size + " bytes, uncompressed " + plain);
        }
    }

    @Test
    void parsesTheOptionsSpelling() {
        assertEquals(TensorCompression.LZ4, TensorCompression.parse("lz4"));
        assertEquals(TensorCompression.ZSTD, TensorCompression.parse("ZSTD"));
        assertEquals(TensorCompression.NONE, TensorCompression.parse("none"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TensorCompression.parse("gzip"));
        assertEquals("compression must be none, lz4 or zstd, got 'gzip'", e.getMessage());
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static String python(String... args) throws IOException, InterruptedException {
        return pythonScript("compressed_ipc.py", args);
    }

    /** Runs {@code src/test/python/<script>} with the test virtualenv's python; returns what it printed. */
    static String pythonScript(String script, String... args) throws IOException, InterruptedException {
        Path root = Path.of(System.getProperty("convjob.root", ".."));
        String python = run(List.of("bash", root.resolve(".ci/pyenv").toString())).strip().lines().reduce((a, b) -> b).orElseThrow();
        // from the checkout root, so the job module's tests (through the datasets test jar) find the scripts too
        List<String> command = new java.util.ArrayList<>(List.of(python, root.resolve("datasets/src/test/python").resolve(script).toString()));
        command.addAll(List.of(args));
        return run(command);
    }

    private static String run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new AssertionError(String.join(" ", command) + " failed: " + out);
        }
        return out;
    }
}
