package io.convjob.io;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Writes float32 arrays as {@code .npy} format 1.0, {@code <f4}, C order, with the header numpy writes byte for
 * byte: the dict, spare spaces so the first axis can grow to 21 digits, padding so the data starts on a 64-byte
 * boundary, and a final newline. Files appear atomically (temp file in the same directory, then renamed).
 */
public final class NpyWriter {

    private static final int ALIGNMENT = 64;
    /** numpy's GROWTH_AXIS_MAX_DIGITS: room to rewrite the header in place when the array grows. */
    private static final int GROWTH_AXIS_MAX_DIGITS = 21;

    private NpyWriter() {}

    public static void write(Path file, NamedTensor tensor) {
        write(file, tensor.shape(), tensor.data());
    }

    /** @throws UncheckedIOException if the file cannot be written (the target is then left as it was) */
    public static void write(Path file, int[] shape, float[] data) {
        checkLength(shape, data);
        AtomicFile.write(file, out -> write(out, shape, data));
    }

    /** One record to the stream (left open), e.g. to build an {@code .eqx} file. */
    public static void write(OutputStream out, int[] shape, float[] data) throws IOException {
        checkLength(shape, data);
        out.write(preambleAndHeader(shape));
        SafetensorsWriter.writeFloats(out, data);
    }

    static byte[] preambleAndHeader(int[] shape) {
        StringBuilder header = new StringBuilder("{'descr': '<f4', 'fortran_order': False, 'shape': ")
                .append(NpyHeader.pythonShape(shape)).append(", }");
        if (shape.length > 0) header.append(" ".repeat(GROWTH_AXIS_MAX_DIGITS - String.valueOf(shape[0]).length()));
        int preamble = NpyReader.MAGIC.length + 2 + 2;
        // numpy pads by 1..64 spaces (never 0) before the newline
        int padding = ALIGNMENT - (preamble + header.length() + 1) % ALIGNMENT;
        header.append(" ".repeat(padding)).append('\n');
        byte[] text = header.toString().getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer out = ByteBuffer.allocate(preamble + text.length).order(ByteOrder.LITTLE_ENDIAN);
        out.put(NpyReader.MAGIC).put((byte) 1).put((byte) 0).putShort((short) text.length).put(text);
        return out.array();
    }

    private static void checkLength(int[] shape, float[] data) {
        long count = NamedTensor.elementCount(shape);
        if (count != data.length) {
            throw new IllegalArgumentException("shape " + NpyHeader.pythonShape(shape) + " has " + count
                    + " elements but data has " + data.length);
        }
    }
}
