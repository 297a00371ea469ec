package io.convjob.arrow;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.flatbuf.Message;
import org.apache.arrow.flatbuf.MessageHeader;
import org.apache.arrow.flatbuf.RecordBatch;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Walks the messages of a well-formed IPC stream in a test, to cut or edit it at exact places; reads damaged files. */
final class IpcStructureTestSupport {
    private IpcStructureTestSupport() {}

    /**
     * Writes {@code bytes} as {@code dir/name}, reads every batch, and returns the refusal's message after the file
     * name; asserts it is one line with a real cause and that no Arrow memory stays allocated.
     */
    static String refusal(Path dir, String name, byte[] bytes) throws IOException {
        Path file = Files.write(dir.resolve(name), bytes);
        try (BufferAllocator root = new RootAllocator()) {
            TensorFormatException e = assertThrows(TensorFormatException.class, () -> {
                try (TensorFileReader reader = TensorFileReader.open(file, root)) {
                    while (reader.loadNextBatch()) reader.copyTensors(new float[reader.batchRows() * reader.elementCount()], 0);
                }
            });
            assertEquals(0, root.getAllocatedMemory(), "memory left allocated");
            assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
            assertFalse(e.getMessage().contains("(null)"), e.getMessage());
            return e.getMessage().substring(file.toString().length() + 2);
        }
    }

    /** The end offset of each message (schema, batches, and the 8-byte end marker last). */
    static long[] messageEnds(byte[] stream) {
        ByteBuffer b = ByteBuffer.wrap(stream).order(ByteOrder.LITTLE_ENDIAN);
        List<Long> ends = new ArrayList<>();
        int at = 0;
        while (at < stream.length) {
            int length = b.getInt(at + 4); // after the continuation marker
            if (length == 0) {
                ends.add((long) at + 8);
                break;
            }
            Message m = Message.getRootAsMessage(ByteBuffer.wrap(stream, at + 8, length).slice());
            at += 8 + length + (int) m.bodyLength();
            ends.add((long) at);
        }
        return ends.stream().mapToLong(Long::longValue).toArray();
    }

    /** A copy of the stream with the body length of the message starting at {@code messageStart} replaced. */
    static byte[] withBodyLength(byte[] stream, long messageStart, long bodyLength) {
        byte[] copy = stream.clone();
        ByteBuffer b = ByteBuffer.wrap(copy).order(ByteOrder.LITTLE_ENDIAN);
        int length = b.getInt((int) messageStart + 4);
        Message m = Message.getRootAsMessage(ByteBuffer.wrap(copy, (int) messageStart + 8, length).slice());
        long old = m.bodyLength();
        for (int i = (int) messageStart + 8; i + 8 <= messageStart + 8 + length; i++) {
            if (b.getLong(i) == old) {
                b.putLong(i, bodyLength);
                return copy;
            }
        }
        throw new AssertionError("body length " + old + " not found in the metadata");
    }

    /**
     * Where buffer {@code buffer} of record batch {@code batch} starts in an IPC file (its messages follow the 8-byte
     * magic) or stream; for a compressed batch, there its 8-byte uncompressed-length prefix is.
     */
    static int bufferAt(byte[] ipc, int batch, int buffer) {
        ByteBuffer b = ByteBuffer.wrap(ipc).order(ByteOrder.LITTLE_ENDIAN);
        int at = ipc[0] == 'A' ? 8 : 0;
        int seen = -1;
        while (true) {
            int length = b.getInt(at + 4);
            Message m = Message.getRootAsMessage(ByteBuffer.wrap(ipc, at + 8, length).slice());
            int bodyAt = at + 8 + length;
            if (m.headerType() == MessageHeader.RecordBatch && ++seen == batch) {
                RecordBatch recordBatch = (RecordBatch) m.header(new RecordBatch());
                return bodyAt + (int) recordBatch.buffers(buffer).offset();
            }
            at = bodyAt + (int) m.bodyLength();
        }
    }

    /** A copy of {@code ipc} with the 8 little-endian bytes at {@code at} replaced by {@code value}. */
    static byte[] withLong(byte[] ipc, int at, long value) {
        byte[] copy = ipc.clone();
        ByteBuffer.wrap(copy).order(ByteOrder.LITTLE_ENDIAN).putLong(at, value);
        return copy;
    }
}
