package io.convjob.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static io.convjob.io.TestFiles.assertSameBits;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SafetensorsRoundTripTest {

    @TempDir Path dir;

    private static List<NamedTensor> sampleTensors() {
        return List.of(
                NamedTensor.of("weight", new int[] {2, 3}, new float[] {1.5f, -0f, Float.NaN, Float.MIN_VALUE,
                        Float.POSITIVE_INFINITY, -3.25e-7f}),
                NamedTensor.of("bias", new int[] {2, 1}, new float[] {0.125f, -8f}),
                NamedTensor.of("scalar", new int[] {}, new float[] {42f}),
                NamedTensor.of("empty", new int[] {0, 3}, new float[] {}));
    }

    @Test
    void roundTripKeepsTensorsAndMetadata() {
        Path file = dir.resolve("model.safetensors");
        Map<String, String> metadata = Map.of("spec", "{\"layer\": \"Conv\"}", "note", "ünïcode \"quoted\"\ttab");
        SafetensorsWriter.write(file, sampleTensors(), metadata);

        try (SafetensorsReader reader = SafetensorsReader.open(file)) {
            assertEquals(metadata, reader.metadata());
            // the reference implementation's order for one dtype: by name
            assertEquals(List.of("bias", "empty", "scalar", "weight"),
                    reader.entries().stream().map(SafetensorsReader.Entry::name).toList());
            Map<String, NamedTensor> read = reader.readAll();
            for (NamedTensor expected : sampleTensors()) {
                NamedTensor actual = read.get(expected.name());
                assertArrayEquals(expected.shape(), actual.shape(), expected.name());
                assertSameBits(expected.data(), actual.data(), expected.name());
                assertEquals("F32", actual.sourceDtype());
            }
        }
    }

    @Test
    void headerIsCompactJsonPaddedWithSpacesToMultipleOf8() throws IOException {
        Path file = dir.resolve("w.safetensors");
        SafetensorsWriter.write(file, List.of(NamedTensor.of("b", new int[] {3}, new float[] {1, 2, 3})));
        byte[] bytes = Files.readAllBytes(file);
        long headerLength = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        String header = new String(bytes, 8, (int) headerLength, StandardCharsets.UTF_8);
        String json = "{\"b\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,12]}}";
        assertEquals(0, headerLength % 8);
        assertEquals(json + " ".repeat((int) headerLength - json.length()), header);
        assertEquals(8 + headerLength + 12, bytes.length);
    }

    /** Re-writing each reference weights file yields the same bytes (they carry no metadata to reorder). */
    @Test
    void writerReproducesReferenceWeightFilesByteForByte() throws IOException {
        for (Path caseDir : TestFiles.casesWith("weights.safetensors", 100)) {
            Path original = caseDir.resolve("weights.safetensors");
            Path copy = dir.resolve(caseDir.getFileName() + ".safetensors");
            SafetensorsWriter.write(copy, SafetensorsReader.readAll(original).values());
            assertEquals(-1L, Files.mismatch(original, copy), original.toString());
        }
    }

    @Test
    void readsF16ExactlyIncludingSubnormalsAndSpecials() throws IOException {
        byte[] halves = TestFiles.littleEndianShorts(0x3C00, 0xC000, 0x7BFF, 0x0001, 0x03FF,
                0x0400, 0x7C00, 0xFC00, 0x8000, 0x3555, 0x7E00, 0x0000);
        Path file = TestFiles.write(dir, "h.safetensors", TestFiles.safetensors(
                "{\"h\":{\"dtype\":\"F16\",\"shape\":[3,4],\"data_offsets\":[0,24]}}", halves));
        NamedTensor h = SafetensorsReader.readAll(file).get("h");
        assertArrayEquals(new int[] {3, 4}, h.shape());
        assertEquals("F16", h.sourceDtype());
        assertSameBits(new float[] {1f, -2f, 65504f, 0x1p-24f, 1023 * 0x1p-24f, 0x1p-14f, Float.POSITIVE_INFINITY,
                Float.NEGATIVE_INFINITY, -0f, 1365f / 4096f, Float.intBitsToFloat(0x7FC00000), 0f}, h.data(), "F16");
    }

    @Test
    void readsBF16AsTheHighHalfOfFloat32() throws IOException {
        byte[] bf16 = TestFiles.littleEndianShorts(0x3F80, 0xC0A0, 0x4049, 0x0001, 0x7F80, 0x8000);
        Path file = TestFiles.write(dir, "b.safetensors", TestFiles.safetensors(
                "{\"b\":{\"dtype\":\"BF16\",\"shape\":[6],\"data_offsets\":[0,12]}}", bf16));
        assertSameBits(new float[] {1f, -5f, 3.140625f, 0x1p-133f, Float.POSITIVE_INFINITY, -0f},
                SafetensorsReader.readAll(file).get("b").data(), "BF16");
    }

    @Test
    void readsF64RoundingToNearestEven() throws IOException {
        double[] values = {0.5, -1.25, 1 + 0x1p-24, 1 + 3 * 0x1p-24, 1e300, 1e-50, 0.1, -0.0};
        Path file = TestFiles.write(dir, "d.safetensors", TestFiles.safetensors(
                "{\"d\":{\"dtype\":\"F64\",\"shape\":[2,4],\"data_offsets\":[0,64]}}",
                TestFiles.doubles(ByteOrder.LITTLE_ENDIAN, values)));
        // 1 + 2^-24 is a tie and goes to the even 1.0; 1 + 3*2^-24 ties to the even 1 + 2^-22
        assertSameBits(new float[] {0.5f, -1.25f, 1f, 1 + 0x1p-22f, Float.POSITIVE_INFINITY, 0f, 0.1f, -0f},
                SafetensorsReader.readAll(file).get("d").data(), "F64");
    }

    @Test
    void mixedDtypesInOneFileEachReadByItsOwn() throws IOException {
        byte[] data = TestFiles.concat(TestFiles.doubles(ByteOrder.LITTLE_ENDIAN, 2.5),
                TestFiles.floats(ByteOrder.LITTLE_ENDIAN, -7f), TestFiles.littleEndianShorts(0x3C00),
                TestFiles.littleEndianShorts(0xBF80));
        Path file = TestFiles.write(dir, "m.safetensors", TestFiles.safetensors("{\"__metadata__\":{\"k\":\"v\"},"
                + "\"d\":{\"dtype\":\"F64\",\"shape\":[],\"data_offsets\":[0,8]},"
                + "\"f\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]},"
                + "\"h\":{\"dtype\":\"F16\",\"shape\":[1,1],\"data_offsets\":[12,14]},"
                + "\"b\":{\"dtype\":\"BF16\",\"shape\":[1],\"data_offsets\":[14,16]}}", data));
        try (SafetensorsReader reader = SafetensorsReader.open(file)) {
            assertEquals(Map.of("k", "v"), reader.metadata());
            assertEquals(List.of("d", "f", "h", "b"), List.copyOf(reader.readAll().keySet()));
            assertEquals(2.5f, reader.read("d").data()[0]);
            assertEquals(-7f, reader.read("f").data()[0]);
            assertEquals(1f, reader.read("h").data()[0]);
            assertEquals(-1f, reader.read("b").data()[0]);
        }
    }

    @Test
    void readsIntegerTensorsUnsigned() throws IOException {
        byte[] data = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN)
                .putInt(0xFFFFFFFE).putInt(7).put((byte) -3).put((byte) 0xFF).putShort((short) 0xFFFF).array();
        Path file = TestFiles.write(dir, "k.safetensors", TestFiles.safetensors(
                "{\"key\":{\"dtype\":\"U32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                        + "\"i8\":{\"dtype\":\"I8\",\"shape\":[1],\"data_offsets\":[8,9]},"
                        + "\"u8\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[9,10]},"
                        + "\"i16\":{\"dtype\":\"I16\",\"shape\":[1],\"data_offsets\":[10,12]}}", data));
        try (SafetensorsReader reader = SafetensorsReader.open(file)) {
            assertArrayEquals(new long[] {4294967294L, 7}, reader.readIntegers("key"));
            assertArrayEquals(new long[] {-3}, reader.readIntegers("i8"));
            assertArrayEquals(new long[] {255}, reader.readIntegers("u8"));
            assertArrayEquals(new long[] {-1}, reader.readIntegers("i16"));
        }
    }

    @Test
    void largeTensorCrossesReadChunks() {
        float[] data = new float[3 * (1 << 18) + 5]; // over 3 MiB: several 1 MiB chunks and a partial one
        for (int i = 0; i < data.length; i++) data[i] = i * 0.5f - 1000f;
        Path file = dir.resolve("big.safetensors");
        SafetensorsWriter.write(file, List.of(NamedTensor.of("big", new int[] {data.length}, data)));
        assertSameBits(data, SafetensorsReader.readAll(file).get("big").data(), "big");
    }

    @Test
    void overwritingReplacesTheFileAndLeavesNoTempFiles() throws IOException {
        Path file = dir.resolve("w.safetensors");
        SafetensorsWriter.write(file, List.of(NamedTensor.of("a", new int[] {1}, new float[] {1})));
        SafetensorsWriter.write(file, List.of(NamedTensor.of("b", new int[] {2}, new float[] {2, 3})));
        assertEquals(List.of("b"), List.copyOf(SafetensorsReader.readAll(file).keySet()));
        assertEquals(List.of(file), filesIn(dir));
    }

    @Test
    void failedWriteKeepsTheOldFileAndRemovesTheTempFile() throws IOException {
        Path file = dir.resolve("w.bin");
        Files.write(file, new byte[] {1, 2, 3});
        assertThrows(UncheckedIOException.class, () -> AtomicFile.write(file, out -> {
            out.write(new byte[100_000]);
            throw new IOException("disk full");
        }));
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(file));
        assertEquals(List.of(file), filesIn(dir));
    }

    @Test
    void writerRejectsDuplicateAndReservedNames() throws IOException {
        NamedTensor a = NamedTensor.of("a", new int[] {1}, new float[] {1});
        assertEquals("two tensors named 'a'", assertThrows(IllegalArgumentException.class,
                () -> SafetensorsWriter.write(dir.resolve("x.safetensors"), List.of(a, a))).getMessage());
        assertEquals("a tensor cannot be named __metadata__", assertThrows(IllegalArgumentException.class,
                () -> SafetensorsWriter.write(dir.resolve("x.safetensors"), List.of(a.withName("__metadata__"))))
                .getMessage());
        assertEquals(List.of(), filesIn(dir));
    }

    private static List<Path> filesIn(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.sorted().toList();
        }
    }
}
