package io.convjob.arrow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import io.convjob.storage.Storage;
import org.junit.jupiter.api.io.TempDir;

/**
 * Another Arrow implementation reads our files, plain and LZ4 / ZSTD compressed, and we read its: Arrow JS (npm
 * {@code apache-arrow}) run by node. Needs node and
 * npm on the PATH; the package is installed once into {@code target/arrowjs} (CI may pre-install it there).
 * Fails, never skips, when they are missing.
 */
class ArrowJsInteropTest {
    static final String ARROW_JS = "apache-arrow@21.2.0";
    /** Arrow JS bundles no codecs: the reader registers these for LZ4_FRAME and ZSTD record batches. */
    static final String LZ4_JS = "lz4js@0.2.0";
    static final String ZSTD_JS = "fzstd@0.1.1";

    @ParameterizedTest
    @EnumSource(TensorCompression.class)
    void arrowJsReadsTheExtensionMetadataIdsNullsAndValues(TensorCompression compression, @TempDir Path dir) throws Exception {
        Path prefix = arrowJs();
        Path file = dir.resolve("interop.arrow");
        FixedShapeTensorType type = FixedShapeTensorType.of(2, 3);
        List<Long> ids = new ArrayList<>();
        List<float[]> rows = new ArrayList<>();
        Storage storage = Storage.standard();
        try (BufferAllocator allocator = new RootAllocator();
             TensorFileWriter writer = TensorFileWriter.create(storage.createAtomic(Storage.local(file)),
                     TensorFileWriter.idTensorSchema(type.shape()), "tensor", allocator, compression)) {
            int[] batchSizes = {2, 3};
            int row = 0;
            for (int rowsInBatch : batchSizes) {
                BigIntVector id = (BigIntVector) writer.root().getVector("id");
                for (int r = 0; r < rowsInBatch; r++, row++) {
                    id.setSafe(r, 40L + row);
                    ids.add(40L + row);
                    if (row == 3) {
                        writer.tensorVector().setNull(r);
                        rows.add(null);
                        continue;
                    }
                    float[] values = new float[6];
                    for (int k = 0; k < 6; k++) values[k] = (float) (Math.PI * row - k / 7.0);
                    writer.tensorVector().writeRow(r, values, 0);
                    rows.add(values);
                }
                writer.writeRoot(rowsInBatch);
            }
            writer.commit();
        }
        assertEquals(List.of(compression.codec(), compression.codec()), CompressedIpc.batchCodecs(file));

        JsonNode seen = new ObjectMapper().readTree(run(List.of("node", script("read_tensor.mjs").toString(), file.toString(), prefix.toString())));
        assertEquals(FixedShapeTensorType.NAME, seen.get("extensionName").asText());
        assertEquals("{\"shape\":[2,3]}", seen.get("extensionMetadata").asText());
        assertEquals("[2,3]", seen.get("shape").toString());
        assertEquals(6, seen.get("listSize").asInt());
        assertEquals(FixedShapeTensorType.ITEM_FIELD, seen.get("itemName").asText());
        assertEquals(2, seen.get("batches").asInt());
        List<Long> seenIds = new ArrayList<>();
        seen.get("ids").forEach(n -> seenIds.add(n.asLong()));
        assertEquals(ids, seenIds);
        JsonNode values = seen.get("values");
        assertEquals(rows.size(), values.size());
        for (int r = 0; r < rows.size(); r++) {
            if (rows.get(r) == null) {
                assertTrue(values.get(r).isNull(), "row " + r + " should be null: " + values.get(r));
                continue;
            }
            float[] read = new float[6];
            for (int k = 0; k < 6; k++) read[k] = (float) values.get(r).get(k).asDouble();
            org.junit.jupiter.api.Assertions.assertArrayEquals(rows.get(r), read, "row " + r);
        }
    }

    @Test
    void weReadAFileArrowJsWrote(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("from-js.arrow");
        run(List.of("node", script("write_tensor.mjs").toString(), file.toString(), arrowJs().toString()));
        try (BufferAllocator allocator = new RootAllocator();
             TensorFileReader reader = TensorFileReader.open(file, allocator)) {
            assertEquals(List.of(2, 3), java.util.Arrays.stream(reader.shape()).boxed().toList());
            List<Long> ids = new ArrayList<>();
            int batches = 0;
            while (reader.loadNextBatch()) {
                batches++;
                BigIntVector id = (BigIntVector) reader.root().getVector("id");
                for (int r = 0; r < reader.batchRows(); r++) {
                    long row = id.get(r);
                    ids.add(row);
                    if (row == 2) {
                        TensorFormatException e = org.junit.jupiter.api.Assertions.assertThrows(TensorFormatException.class,
                                () -> reader.copyTensors(2, 1, new float[6], 0));
                        assertTrue(e.getMessage().endsWith("row 2 is null"), e.getMessage());
                        continue;
                    }
                    float[] values = new float[6];
                    reader.copyTensors(r, 1, values, 0);
                    for (int k = 0; k < 6; k++) assertEquals(row * 10 + k, values[k], "row " + row + " value " + k);
                }
            }
            assertEquals(2, batches);
            assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L, 6L), ids);
        }
    }

    /**
     * Arrow JS 21.2.0 writes the compressed length where the IPC format puts a compressed buffer's uncompressed length,
     * so its compressed files are invalid (pyarrow refuses them too: "Lz4 decompression buffer too small"); we refuse
     * them with a line that says so, rather than reading past what the buffer declares.
     */
    @Test
    void arrowJsCompressedFilesWhichDeclareTheWrongLengthAreRefusedByName(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("from-js-lz4.arrow");
        run(List.of("node", script("write_tensor.mjs").toString(), file.toString(), arrowJs().toString(), "lz4"));
        try (BufferAllocator allocator = new RootAllocator();
             TensorFileReader reader = TensorFileReader.open(file, allocator)) {
            TensorFormatException e = org.junit.jupiter.api.Assertions.assertThrows(TensorFormatException.class, reader::loadNextBatch);
            assertTrue(e.getMessage().matches(".*cannot read record batch 0 \\(buffer \\d+, .* decompresses to more than the \\d+ bytes it declares\\)"),
                    e.getMessage());
        }
    }

    private static Path script(String name) {
        Path script = Path.of("src/test/js", name).toAbsolutePath();
        assertTrue(Files.isRegularFile(script), "missing " + script);
        return script;
    }

    /** target/arrowjs with apache-arrow and the codecs installed, installing it the first time (the only network use). */
    static Path arrowJs() throws IOException, InterruptedException {
        Path prefix = Path.of("target/arrowjs").toAbsolutePath();
        if (!Files.isDirectory(prefix.resolve("node_modules/apache-arrow")) || !Files.isDirectory(prefix.resolve("node_modules/lz4js"))
                || !Files.isDirectory(prefix.resolve("node_modules/fzstd"))) {
            Files.createDirectories(prefix);
            run(List.of("npm", "install", "--no-audit", "--no-fund", "--prefix", prefix.toString(), ARROW_JS, LZ4_JS, ZSTD_JS));
        }
        return prefix;
    }

    private static String run(List<String> command) throws IOException, InterruptedException {
        Path stderr = Files.createTempFile("arrowjs", ".stderr");
        try {
            // stderr to a file so a chatty npm cannot fill a pipe we are not draining
            Process process = new ProcessBuilder(command).redirectError(stderr.toFile()).start();
            process.getOutputStream().close();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int code = process.waitFor();
            assertEquals(0, code, String.join(" ", command) + " failed:\n" + out + Files.readString(stderr));
            return out;
        } finally {
            Files.deleteIfExists(stderr);
        }
    }
}
