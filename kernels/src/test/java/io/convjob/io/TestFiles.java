package io.convjob.io;

import org.junit.jupiter.api.function.Executable;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Shared by the io tests: the conformance folder, hand-built file bytes, and the one-line error assertion. */
final class TestFiles {

    private TestFiles() {}

    /** Surefire's {@code conformance.dir}, else the shared folder relative to the module. */
    static Path conformanceDir() {
        String configured = System.getProperty("conformance.dir");
        return configured != null ? Path.of(configured) : Path.of("../../shared/conformance");
    }

    /** Case folders holding the given file, sorted; fails if there are suspiciously few. */
    static List<Path> casesWith(String fileName, int atLeast) {
        try (Stream<Path> dirs = Files.list(conformanceDir())) {
            List<Path> cases = dirs.filter(d -> Files.isRegularFile(d.resolve(fileName))).sorted().toList();
            assertTrue(cases.size() >= atLeast, "only " + cases.size() + " cases with " + fileName + " in "
                    + conformanceDir());
            return cases;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A safetensors file from a header text as given (no padding) and raw data bytes. */
    static byte[] safetensors(String header, byte[] data) {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(8 + json.length + data.length).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(json.length).put(json).put(data).array();
    }

    static byte[] littleEndianShorts(int... values) {
        ByteBuffer out = ByteBuffer.allocate(2 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int v : values) out.putShort((short) v);
        return out.array();
    }

    static byte[] doubles(ByteOrder order, double... values) {
        ByteBuffer out = ByteBuffer.allocate(8 * values.length).order(order);
        for (double v : values) out.putDouble(v);
        return out.array();
    }

    static byte[] floats(ByteOrder order, float... values) {
        ByteBuffer out = ByteBuffer.allocate(4 * values.length).order(order);
        for (float v : values) out.putFloat(v);
        return out.array();
    }

    static byte[] concat(byte[]... parts) {
        int length = 0;
        for (byte[] part : parts) length += part.length;
        ByteBuffer out = ByteBuffer.allocate(length);
        for (byte[] part : parts) out.put(part);
        return out.array();
    }

    static Path write(Path dir, String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve(name), bytes);
    }

    /** The call fails with a {@link WeightFormatException} whose one-line message is exactly {@code expected}. */
    static void assertWeightFormat(String expected, Executable call) {
        WeightFormatException e = assertThrows(WeightFormatException.class, call);
        assertEquals(expected, e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "message spans lines");
    }

    /** Equal bit patterns, element by element (stricter than Arrays.equals for NaNs). */
    static void assertSameBits(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
                throw new AssertionError(what + "[" + i + "]: expected " + expected[i] + " got " + actual[i]);
            }
        }
    }
}
