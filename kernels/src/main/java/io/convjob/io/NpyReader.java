package io.convjob.io;

import io.convjob.error.InputException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;

/**
 * Reads {@code .npy} records (format versions 1.0, 2.0 and 3.0) of dtype {@code <f4}, {@code <f8}, {@code <f2} or
 * their big-endian forms as float32, C order only; 0-d {@code <i8}/{@code <i4} records (equinox's Python int leaves)
 * are read as their value. Reads from a file or, one record at a time, from a stream (as
 * {@link EqxReader} does); each byte is read once, in chunks.
 */
public final class NpyReader {

    static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    static final String SUPPORTED_DESCRS = "<f4, <f8, <f2, >f4, >f8, >f2";
    /** Integer dtypes read only as 0-d records (Python int leaves of an equinox model). */
    private static final java.util.Set<String> INTEGER_SCALARS = java.util.Set.of("<i8", ">i8", "<i4", ">i4");
    /** Far above any real header (numpy itself refuses more than 10000 bytes by default). */
    static final int MAX_HEADER_BYTES = 1 << 20;
    private static final int CHUNK_BYTES = 1 << 16;
    /** Elements allocated before any data is read; larger arrays grow as their bytes arrive. */
    private static final int INITIAL_ELEMENTS = 1 << 20;

    private NpyReader() {}

    /**
     * The single array in a {@code .npy} file, named after the file (without {@code .npy}).
     *
     * @throws InputException if the file does not exist
     * @throws WeightFormatException if it is malformed, unsupported or has bytes after the array
     */
    public static NamedTensor read(Path file) {
        String fileName = file.getFileName().toString();
        String name = fileName.endsWith(".npy") ? fileName.substring(0, fileName.length() - 4) : fileName;
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), CHUNK_BYTES)) {
            NamedTensor tensor = read(in, file.toString(), name);
            long extra = in.transferTo(OutputStream.nullOutputStream());
            if (extra > 0) throw WeightFormatException.of(file, extra + " unexpected bytes after the array data");
            return tensor;
        } catch (NoSuchFileException e) {
            throw new InputException(file + ": no such file");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /**
     * Exactly one record from the stream, which is left just after it.
     *
     * @param source leads every error message, e.g. the file name
     * @throws WeightFormatException if the stream is empty, truncated, malformed or unsupported
     */
    public static NamedTensor read(InputStream in, String source, String name) throws IOException {
        return readNext(in, source, name)
                .orElseThrow(() -> WeightFormatException.of(source, "empty: no .npy record"));
    }

    /**
     * The next record from the stream, or empty if the stream ends before its first byte.
     *
     * @throws WeightFormatException if a record starts but is truncated, malformed or unsupported
     */
    public static Optional<NamedTensor> readNext(InputStream in, String source, String name) throws IOException {
        byte[] preamble = new byte[8];
        int got = in.readNBytes(preamble, 0, 8);
        if (got == 0) return Optional.empty();
        if (got < 8 || !Arrays.equals(preamble, 0, 6, MAGIC, 0, 6)) {
            if (!Arrays.equals(preamble, 0, Math.min(got, 6), MAGIC, 0, Math.min(got, 6))) {
                throw WeightFormatException.of(source, "not a .npy record: it does not start with \\x93NUMPY");
            }
            throw WeightFormatException.of(source, "truncated: " + got + " bytes, a .npy preamble has at least 10");
        }
        int major = preamble[6] & 0xff;
        int minor = preamble[7] & 0xff;
        if (major < 1 || major > 3 || minor != 0) {
            throw WeightFormatException.of(source, "unsupported .npy format version " + major + "." + minor
                    + "; supported: 1.0, 2.0, 3.0");
        }
        int lengthBytes = major == 1 ? 2 : 4;
        byte[] lengthField = readExactly(in, lengthBytes, source, "the header length");
        long headerLength = lengthBytes == 2
                ? ByteBuffer.wrap(lengthField).order(ByteOrder.LITTLE_ENDIAN).getShort() & 0xffffL
                : ByteBuffer.wrap(lengthField).order(ByteOrder.LITTLE_ENDIAN).getInt() & 0xffffffffL;
        if (headerLength > MAX_HEADER_BYTES) {
            throw WeightFormatException.of(source, ".npy header length " + headerLength + " exceeds the limit of "
                    + MAX_HEADER_BYTES + " bytes");
        }
        byte[] headerBytes = readExactly(in, (int) headerLength, source, "the header");
        // versions 1.0 and 2.0 use latin-1, 3.0 UTF-8
        String text = new String(headerBytes, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        NpyHeader header = NpyHeader.parse(text, source);
        return Optional.of(readData(in, header, source, name));
    }

    private static NamedTensor readData(InputStream in, NpyHeader header, String source, String name) throws IOException {
        if (header.fortranOrder()) {
            throw WeightFormatException.of(source, "fortran_order=True is not supported; save a C-order array "
                    + "(numpy.ascontiguousarray)");
        }
        String descr = header.descr();
        if (header.shape().length == 0 && INTEGER_SCALARS.contains(descr)) return readIntegerScalar(in, descr, source, name);
        FloatDtype dtype = floatDtype(descr)
                .orElseThrow(() -> WeightFormatException.of(source, "dtype '" + NpyHeader.quoted(descr) + "' not supported; supported: "
                        + SUPPORTED_DESCRS));
        ByteOrder order = descr.charAt(0) == '<' ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN;
        int[] shape = header.shape();
        long count = NamedTensor.elementCount(shape);
        if (count > Integer.MAX_VALUE - 8) {
            throw WeightFormatException.of(source, "shape " + NpyHeader.pythonShape(shape) + " has " + count
                    + " elements, more than a Java array holds");
        }
        // The header's shape is not trusted with memory: the array grows as its bytes arrive, so a 100-byte file
        // claiming a (2**30,) array fails as truncated instead of allocating 4 GiB first.
        float[] data = new float[(int) Math.min(count, INITIAL_ELEMENTS)];
        long totalBytes = count * dtype.size;
        byte[] chunk = new byte[(int) Math.min(CHUNK_BYTES, totalBytes)];
        int perChunk = Math.max(chunk.length / dtype.size, 1);
        int done = 0;
        while (done < count) {
            int n = (int) Math.min(perChunk, count - done);
            int bytes = n * dtype.size;
            int got = in.readNBytes(chunk, 0, bytes);
            if (got < bytes) {
                long have = (long) done * dtype.size + got;
                throw WeightFormatException.of(source, "truncated: data of shape " + NpyHeader.pythonShape(shape) + " "
                        + descr + " needs " + totalBytes + " bytes, got " + have);
            }
            if (done + n > data.length) data = Arrays.copyOf(data, (int) Math.min(count, Math.max(2L * data.length, done + n)));
            dtype.decode(ByteBuffer.wrap(chunk, 0, bytes).order(order), data, done, n);
            done += n;
        }
        return new NamedTensor(name, shape, data, descr);
    }

    /**
     * A 0-d integer record, as equinox writes a Python int leaf (AvgPool's reduction init {@code 0}): its value as a
     * float. Integer arrays stay unsupported (weights are floats).
     */
    private static NamedTensor readIntegerScalar(InputStream in, String descr, String source, String name)
            throws IOException {
        int size = descr.charAt(2) - '0';
        byte[] bytes = readExactly(in, size, source, "the " + descr + " scalar");
        ByteBuffer b = ByteBuffer.wrap(bytes).order(descr.charAt(0) == '<' ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
        long value = size == 8 ? b.getLong() : b.getInt();
        return new NamedTensor(name, new int[0], new float[] {(float) value}, descr);
    }

    private static Optional<FloatDtype> floatDtype(String descr) {
        return switch (descr) {
            case "<f4", ">f4" -> Optional.of(FloatDtype.F32);
            case "<f8", ">f8" -> Optional.of(FloatDtype.F64);
            case "<f2", ">f2" -> Optional.of(FloatDtype.F16);
            default -> Optional.empty();
        };
    }

    private static byte[] readExactly(InputStream in, int length, String source, String what) throws IOException {
        byte[] bytes = in.readNBytes(length);
        if (bytes.length < length) {
            throw WeightFormatException.of(source, "truncated: " + what + " needs " + length + " bytes, got " + bytes.length);
        }
        return bytes;
    }
}
