package io.convjob.io;

import io.convjob.error.InputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static io.convjob.io.TestFiles.assertWeightFormat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Each malformed file fails on open or read with one exact line naming the file and the problem. */
class SafetensorsErrorsTest {

    @TempDir Path dir;

    private static final String WEIGHT_F32_2 = "\"weight\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}";

    private Path file(String header, int dataBytes) throws IOException {
        return TestFiles.write(dir, "w.safetensors", TestFiles.safetensors(header, new byte[dataBytes]));
    }

    private static void assertOpenFails(Path file, String detail) {
        assertWeightFormat(file + ": " + detail, () -> SafetensorsReader.open(file).close());
    }

    @Test
    void fileShorterThanTheLengthField() throws IOException {
        Path file = TestFiles.write(dir, "w.safetensors", new byte[] {8, 0, 0, 0, 0});
        assertOpenFails(file, "truncated: 5 bytes, too short for the 8-byte header length");
    }

    @Test
    void headerLengthBeyondTheFile() throws IOException {
        byte[] bytes = ByteBuffer.allocate(28).order(ByteOrder.LITTLE_ENDIAN).putLong(1000).array();
        Path file = TestFiles.write(dir, "w.safetensors", bytes);
        assertOpenFails(file, "header length 1000 exceeds the 20 bytes after the length field (truncated or not safetensors)");
    }

    @Test
    void headerLengthWithTheTopBitSetIsNotNegative() throws IOException {
        byte[] bytes = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(-1L).array();
        Path file = TestFiles.write(dir, "w.safetensors", bytes);
        assertOpenFails(file, "header length 18446744073709551615 exceeds the 8 bytes after the length field"
                + " (truncated or not safetensors)");
    }

    @Test
    void referenceFileCutShortEndsInsideTheLastTensor() throws IOException {
        Path original = TestFiles.conformanceDir().resolve("hand_00_conv2d/weights.safetensors");
        byte[] bytes = Files.readAllBytes(original);
        Path file = TestFiles.write(dir, "w.safetensors", Arrays.copyOf(bytes, bytes.length - 10));
        assertOpenFails(file, "tensor 'weight': data_offsets [16, 448] end beyond the 438-byte data section"
                + " (truncated file?)");
    }

    @Test
    void headerThatIsNotJson() throws IOException {
        assertOpenFails(file("{\"weight\":{\"dtype\" \"F32\"}}", 0),
                "header is not valid JSON (at char 19): Unexpected character ('\"' (code 34)): was expecting a colon"
                        + " to separate field name and value");
    }

    @Test
    void headerThatIsJsonButNotAnObject() throws IOException {
        assertOpenFails(file("[1, 2]  ", 0), "header is not a JSON object");
    }

    @Test
    void headerWithDuplicateTensorNames() throws IOException {
        assertOpenFails(file("{" + WEIGHT_F32_2 + "," + WEIGHT_F32_2 + "}", 8),
                "header is not valid JSON (at char 67): Duplicate field 'weight'");
    }

    @Test
    void unsupportedDtypeIsNamedWhenRead() throws IOException {
        Path file = file("{\"weight\":{\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8);
        String expected = file + ": tensor 'weight' has dtype I32; supported: F32, F16, BF16, F64";
        assertWeightFormat(expected, () -> SafetensorsReader.readAll(file));
        try (SafetensorsReader reader = SafetensorsReader.open(file)) {
            assertWeightFormat(expected, () -> reader.read("weight"));
        }
    }

    @Test
    void unknownDtypeFailsOnOpen() throws IOException {
        assertOpenFails(file("{\"weight\":{\"dtype\":\"F4\",\"shape\":[2],\"data_offsets\":[0,1]}}", 1),
                "tensor 'weight' has dtype F4; supported: F32, F16, BF16, F64");
    }

    @Test
    void floatTensorReadAsIntegers() throws IOException {
        Path file = file("{" + WEIGHT_F32_2 + "}", 8);
        try (SafetensorsReader reader = SafetensorsReader.open(file)) {
            assertWeightFormat(file + ": tensor 'weight' has dtype F32; expected an integer dtype (U8..U64, I8..I64)",
                    () -> reader.readIntegers("weight"));
        }
    }

    @Test
    void offsetsNotMatchingShapeTimesDtypeSize() throws IOException {
        assertOpenFails(file("{\"weight\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,20]}}", 20),
                "tensor 'weight': shape [2, 3] of F32 needs 24 bytes but data_offsets [0, 20] span 20");
    }

    @Test
    void overlappingTensors() throws IOException {
        assertOpenFails(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                        + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12),
                "tensors 'a' [0, 8] and 'b' [4, 12] overlap");
    }

    @Test
    void gapBetweenTensors() throws IOException {
        assertOpenFails(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                        + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}", 12),
                "bytes [4, 8) of the data section belong to no tensor (gap before 'b')");
    }

    @Test
    void bytesAfterTheLastTensor() throws IOException {
        assertOpenFails(file("{" + WEIGHT_F32_2 + "}", 12), "the data section has 12 bytes but its tensors end at 8");
    }

    @Test
    void reversedOffsets() throws IOException {
        assertOpenFails(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[8,0]}}", 8),
                "tensor 'w': 'data_offsets' must be [begin, end] with 0 <= begin <= end, got [8,0]");
    }

    @Test
    void negativeDimension() throws IOException {
        assertOpenFails(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", 8),
                "tensor 'w': 'shape' must hold non-negative integers, got [-2]");
    }

    @Test
    void missingDtype() throws IOException {
        assertOpenFails(file("{\"w\":{\"shape\":[2],\"data_offsets\":[0,8]}}", 8),
                "tensor 'w': 'dtype' is missing or not a string");
    }

    @Test
    void metadataValueThatIsNotAString() throws IOException {
        assertOpenFails(file("{\"__metadata__\":{\"epochs\":3}," + WEIGHT_F32_2 + "}", 8),
                "__metadata__ 'epochs' is not a string: 3");
    }

    @Test
    void missingTensorListsTheOnesPresent() throws IOException {
        Path file = file("{" + WEIGHT_F32_2 + "}", 8);
        try (SafetensorsReader reader = SafetensorsReader.open(file)) {
            assertWeightFormat(file + ": no tensor 'bias'; it has weight", () -> reader.read("bias"));
        }
    }

    @Test
    void missingFileIsAnInputErrorButNotAFormatError() {
        Path file = dir.resolve("absent.safetensors");
        InputException e = assertThrows(InputException.class, () -> SafetensorsReader.open(file));
        assertEquals(file + ": no such file", e.getMessage());
        assertEquals(InputException.class, e.getClass());
    }

    @Test
    void goldenFileNamesItsU32KeyWhenReadAsFloats() {
        Path golden = TestFiles.conformanceDir().resolve("conv2d_000/golden.safetensors");
        assertWeightFormat(golden + ": tensor 'key' has dtype U32; supported: F32, F16, BF16, F64",
                () -> SafetensorsReader.readAll(golden));
    }
}
