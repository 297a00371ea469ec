package io.convjob.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static io.convjob.io.TestFiles.assertWeightFormat;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The limits a {@code .npy} header cannot talk the reader past (issue 9, finding 5 and the fuzz tests): nesting
 * depth, the memory a declared shape may claim, and how much of a bad header a message quotes.
 */
class NpyLimitsTest {
    @TempDir Path dir;

    private static byte[] npyVersion2(String header, byte[] data) {
        byte[] text = header.getBytes(StandardCharsets.ISO_8859_1);
        return ByteBuffer.allocate(12 + text.length + data.length).order(ByteOrder.LITTLE_ENDIAN)
                .put(NpyReader.MAGIC).put((byte) 2).put((byte) 0).putInt(text.length).put(text).put(data).array();
    }

    @Test
    void twentyThousandNestedParenthesesAreRefusedByTheDepthLimitNotAStackOverflow() throws IOException {
        // before: StackOverflowError (1025 lines of trace, exit 1)
        String header = "(".repeat(20_000) + ")".repeat(20_000);
        Path file = TestFiles.write(dir, "deep.npy", npyVersion2(header, new byte[0]));
        WeightFormatException e = assertThrows(WeightFormatException.class, () -> NpyReader.read(file));
        assertTrue(e.getMessage().startsWith(file + ": malformed .npy header (nested deeper than the limit of "
                + PythonLiteral.MAX_NESTING + " levels at char " + PythonLiteral.MAX_NESTING + "): (((("), e.getMessage());
        assertTrue(e.getMessage().endsWith("... (40000 chars)"), "the header is quoted short: " + e.getMessage());
    }

    @Test
    void nestingUpToTheLimitIsStillParsed() throws IOException {
        // a dict holding a tuple nested to the limit parses, then fails on what it is, not on its depth
        String shape = "(".repeat(PythonLiteral.MAX_NESTING - 1) + ")".repeat(PythonLiteral.MAX_NESTING - 1);
        Path file = TestFiles.write(dir, "deepish.npy", npyVersion2("{'descr': '<f4', 'fortran_order': False, 'shape': "
                + shape + "}", new byte[0]));
        WeightFormatException e = assertThrows(WeightFormatException.class, () -> NpyReader.read(file));
        assertTrue(e.getMessage().contains("'shape' must be a tuple of non-negative integers"), e.getMessage());
    }

    @Test
    void aHugeDeclaredShapeInATinyFileFailsAsTruncatedWithoutAllocatingIt() throws IOException {
        // before: new float[2147483000] up front, an OutOfMemoryError (exit 1) in any JVM under 8 GiB of heap
        Path file = TestFiles.write(dir, "huge.npy",
                npyVersion2("{'descr': '<f4', 'fortran_order': False, 'shape': (2147483000,), }", new byte[16]));
        assertWeightFormat(file + ": truncated: data of shape (2147483000,) <f4 needs 8589932000 bytes, got 16",
                () -> NpyReader.read(file));
    }

    @Test
    void anArrayLargerThanTheFirstAllocationGrowsAsItsBytesArrive() throws IOException {
        int count = (1 << 20) * 3 + 5; // more than the reader allocates before reading data
        ByteBuffer data = ByteBuffer.allocate(count * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < count; i++) data.putFloat(i);
        Path file = TestFiles.write(dir, "big.npy",
                npyVersion2("{'descr': '<f4', 'fortran_order': False, 'shape': (" + count + ",), }", data.array()));
        NamedTensor t = NpyReader.read(file);
        assertTrue(t.data().length == count && t.data()[count - 1] == count - 1 && t.data()[1 << 20] == 1 << 20);
    }

    @Test
    void aLongMalformedHeaderIsQuotedShort() throws IOException {
        Path file = TestFiles.write(dir, "long.npy", npyVersion2("{'descr': " + "x".repeat(50_000) + "}", new byte[0]));
        WeightFormatException e = assertThrows(WeightFormatException.class, () -> NpyReader.read(file));
        assertTrue(e.getMessage().length() < 400, e.getMessage().length() + " chars: " + e.getMessage());
    }
}
