package io.convjob.io;

import io.convjob.error.InputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import static io.convjob.io.TestFiles.assertSameBits;
import static io.convjob.io.TestFiles.assertWeightFormat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NpyTest {

    @TempDir Path dir;

    /** A .npy record with the header text exactly as given (readers need no padding). */
    private static byte[] npy(int major, String header, byte[] data) {
        byte[] text = header.getBytes(major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        ByteBuffer out = ByteBuffer.allocate(8 + (major == 1 ? 2 : 4) + text.length + data.length)
                .order(ByteOrder.LITTLE_ENDIAN);
        out.put(NpyReader.MAGIC).put((byte) major).put((byte) 0);
        if (major == 1) out.putShort((short) text.length); else out.putInt(text.length);
        return out.put(text).put(data).array();
    }

    private static String header(String descr, String fortranOrder, String shape) {
        return "{'descr': '" + descr + "', 'fortran_order': " + fortranOrder + ", 'shape': " + shape + ", }\n";
    }

    @Test
    void roundTripThroughFiles() {
        for (int[] shape : List.of(new int[] {}, new int[] {5}, new int[] {2, 3, 4}, new int[] {0, 3})) {
            float[] data = new float[(int) NamedTensor.elementCount(shape)];
            for (int i = 0; i < data.length; i++) data[i] = (i % 2 == 0 ? 1 : -1) * i / 3f;
            Path file = dir.resolve("w.npy");
            NpyWriter.write(file, shape, data);
            NamedTensor read = NpyReader.read(file);
            assertEquals("w", read.name());
            assertEquals("<f4", read.sourceDtype());
            assertArrayEquals(shape, read.shape(), Arrays.toString(shape));
            assertSameBits(data, read.data(), Arrays.toString(shape));
        }
    }

    @Test
    void headerIsNumpysVersion1PaddedTo64WithNewline() throws IOException {
        Path file = dir.resolve("s.npy");
        NpyWriter.write(file, new int[] {}, new float[] {2f});
        byte[] bytes = Files.readAllBytes(file);
        int headerLength = ByteBuffer.wrap(bytes, 8, 2).order(ByteOrder.LITTLE_ENDIAN).getShort();
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (), }";
        assertEquals(1, bytes[6]);
        assertEquals(0, bytes[7]);
        assertEquals(128, 10 + headerLength);
        assertEquals(dict + " ".repeat(headerLength - dict.length() - 1) + "\n",
                new String(bytes, 10, headerLength, StandardCharsets.ISO_8859_1));
        assertEquals(128 + 4, bytes.length);
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList(), "no temp file left behind");
        }
    }

    @Test
    void readsLittleEndianF8Version1RoundingToNearest() throws IOException {
        Path file = TestFiles.write(dir, "d.npy", npy(1, header("<f8", "False", "(2, 2)"),
                TestFiles.doubles(ByteOrder.LITTLE_ENDIAN, 0.1, 1 + 3 * 0x1p-24, -1e300, 7)));
        NamedTensor read = NpyReader.read(file);
        assertEquals("<f8", read.sourceDtype());
        assertArrayEquals(new int[] {2, 2}, read.shape());
        assertSameBits(new float[] {0.1f, 1 + 0x1p-22f, Float.NEGATIVE_INFINITY, 7f}, read.data(), "<f8");
    }

    @Test
    void readsF2Version2() throws IOException {
        Path file = TestFiles.write(dir, "h.npy", npy(2, header("<f2", "False", "(3,)"),
                TestFiles.littleEndianShorts(0x3C00, 0x0001, 0xC400)));
        assertSameBits(new float[] {1f, 0x1p-24f, -4f}, NpyReader.read(file).data(), "<f2");
    }

    @Test
    void readsBigEndianF4Version3WithPython2LongsAndDoubleQuotes() throws IOException {
        String header = "{\"descr\": \">f4\", \"fortran_order\": False, \"shape\": (1L, 3L)}";
        Path file = TestFiles.write(dir, "b.npy", npy(3, header,
                TestFiles.floats(ByteOrder.BIG_ENDIAN, 1.5f, -2f, Float.MIN_VALUE)));
        NamedTensor read = NpyReader.read(file);
        assertArrayEquals(new int[] {1, 3}, read.shape());
        assertSameBits(new float[] {1.5f, -2f, Float.MIN_VALUE}, read.data(), ">f4");
    }

    @Test
    void streamYieldsConsecutiveRecordsThenEmpty() throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        NpyWriter.write(out, new int[] {2}, new float[] {1, 2});
        NpyWriter.write(out, new int[] {1, 1}, new float[] {3});
        InputStream in = new ByteArrayInputStream(out.toByteArray());
        assertSameBits(new float[] {1, 2}, NpyReader.read(in, "s", "a").data(), "a");
        NamedTensor second = NpyReader.readNext(in, "s", "b").orElseThrow();
        assertEquals("b", second.name());
        assertArrayEquals(new int[] {1, 1}, second.shape());
        assertEquals(Optional.empty(), NpyReader.readNext(in, "s", "c"));
    }

    // ---- bad input: one exact line each ----

    private void assertReadFails(byte[] bytes, String detail) throws IOException {
        Path file = TestFiles.write(dir, "bad.npy", bytes);
        assertWeightFormat(file + ": " + detail, () -> NpyReader.read(file));
    }

    @Test
    void fortranOrderIsRejected() throws IOException {
        assertReadFails(npy(1, header("<f4", "True", "(2, 3)"), new byte[24]),
                "fortran_order=True is not supported; save a C-order array (numpy.ascontiguousarray)");
    }

    @Test
    void otherDtypesAreNamed() throws IOException {
        assertReadFails(npy(1, header("<i4", "False", "(2,)"), new byte[8]),
                "dtype '<i4' not supported; supported: <f4, <f8, <f2, >f4, >f8, >f2");
        assertReadFails(npy(1, header("|b1", "False", "()"), new byte[1]),
                "dtype '|b1' not supported; supported: <f4, <f8, <f2, >f4, >f8, >f2");
        assertReadFails(npy(1, "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }", new byte[4]),
                "structured dtype [[a, <f4]] not supported; supported: <f4, <f8, <f2, >f4, >f8, >f2");
    }

    @Test
    void truncatedDataSaysHowMuchWasThere() throws IOException {
        assertReadFails(npy(1, header("<f4", "False", "(4, 2, 5)"), new byte[100]),
                "truncated: data of shape (4, 2, 5) <f4 needs 160 bytes, got 100");
    }

    @Test
    void truncatedHeader() throws IOException {
        byte[] whole = npy(1, header("<f4", "False", "(2,)"), new byte[8]);
        assertReadFails(Arrays.copyOf(whole, 30), "truncated: the header needs 58 bytes, got 20");
        assertReadFails(Arrays.copyOf(whole, 7), "truncated: 7 bytes, a .npy preamble has at least 10");
    }

    @Test
    void notNpyAtAll() throws IOException {
        assertReadFails("PK\u0003\u0004 a zip file".getBytes(StandardCharsets.ISO_8859_1),
                "not a .npy record: it does not start with \\x93NUMPY");
    }

    @Test
    void unknownFormatVersion() throws IOException {
        byte[] bytes = npy(1, header("<f4", "False", "(2,)"), new byte[8]);
        bytes[6] = 4;
        assertReadFails(bytes, "unsupported .npy format version 4.0; supported: 1.0, 2.0, 3.0");
    }

    @Test
    void bytesAfterTheArray() throws IOException {
        assertReadFails(npy(1, header("<f4", "False", "(2,)"), new byte[11]), "3 unexpected bytes after the array data");
    }

    @Test
    void headerWithWrongKeysOrSyntax() throws IOException {
        assertReadFails(npy(1, "{'descr': '<f4', 'shape': (2,), }", new byte[8]),
                ".npy header must be a dict with keys 'descr', 'fortran_order', 'shape'; got "
                        + "{'descr': '<f4', 'shape': (2,), }");
        assertReadFails(npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2,3 }", new byte[24]),
                "malformed .npy header (expected ',' or ')' at char 55): "
                        + "{'descr': '<f4', 'fortran_order': False, 'shape': (2,3 }");
        assertReadFails(npy(1, header("<f4", "False", "(-2,)"), new byte[0]),
                "'shape' must be a tuple of non-negative integers, got [-2]");
    }

    @Test
    void emptyStreamAndMissingFile() throws IOException {
        assertReadFails(new byte[0], "empty: no .npy record");
        Path absent = dir.resolve("absent.npy");
        InputException e = assertThrows(InputException.class, () -> NpyReader.read(absent));
        assertEquals(absent + ": no such file", e.getMessage());
        assertTrue(!(e instanceof WeightFormatException));
    }
}
