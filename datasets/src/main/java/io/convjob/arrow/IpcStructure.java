package io.convjob.arrow;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SeekableByteChannel;
import java.util.List;
import org.apache.arrow.flatbuf.Buffer;
import org.apache.arrow.flatbuf.DictionaryBatch;
import org.apache.arrow.flatbuf.FieldNode;
import org.apache.arrow.flatbuf.Message;
import org.apache.arrow.flatbuf.MessageHeader;
import org.apache.arrow.flatbuf.RecordBatch;
import org.apache.arrow.vector.ipc.message.ArrowBlock;

/**
 * Checks the framing of Arrow IPC messages against the bytes actually there, before Arrow's reader sees them.
 * Arrow allocates a message's body at the size its metadata declares and, when a buffer or field node of the body
 * is out of range, throws without releasing it ({@code Memory was leaked}); a length prefix cut short gives
 * {@code capacity < 0}. Reading only the metadata (a few hundred bytes a message, bodies are skipped) we refuse both
 * with one line naming the message, and for a stream learn its row count and whether it ends with its end marker.
 */
final class IpcStructure {
    /** The 4-byte continuation marker that leads every message since Arrow 0.15. */
    private static final int CONTINUATION = 0xFFFFFFFF;
    /** A flatbuffer struct in a vector (Buffer, FieldNode) is 16 bytes: bounds the counts metadata can hold. */
    private static final int STRUCT_BYTES = 16;

    private IpcStructure() {}

    /** What a scan of a whole stream found: rows, record batches, the most rows in one, and whether any is compressed. */
    record StreamSummary(long rows, int batches, boolean endMarker, long largestBatchRows, boolean compressed) {}

    /** A file's record batches as its blocks' metadata declare them: rows and whether the body is compressed. */
    record FileBatches(long[] rows, boolean[] compressed) {}

    /**
     * Walks every message of a stream from the channel's start.
     *
     * @throws TensorFormatException naming the message whose framing does not fit the bytes (no file name: the caller adds it)
     */
    static StreamSummary scanStream(SeekableByteChannel channel) throws IOException {
        try {
            return scanStreamMessages(channel);
        } catch (NotAStream e) {
            throw new TensorFormatException("not a readable Arrow IPC file or stream (" + e.getMessage() + ")");
        }
    }

    /** The first message of a stream does not frame: the bytes are no Arrow IPC at all (or a stream cut inside it). */
    private static final class NotAStream extends TensorFormatException {
        NotAStream(String message) { super(message); }
    }

    private static StreamSummary scanStreamMessages(SeekableByteChannel channel) throws IOException {
        long size = channel.size();
        long position = 0;
        long rows = 0;
        int batches = 0;
        long largest = 0;
        boolean compressed = false;
        for (int index = 0; ; index++) {
            if (index == 0 && size > 0) {
                try {
                    position = firstMessageEnd(channel, size);
                    continue;
                } catch (TensorFormatException e) {
                    throw new NotAStream(e.getMessage());
                }
            }
            if (position == size) return new StreamSummary(rows, batches, false, largest, compressed);
            String what = "message " + index + " (at byte " + position + ")";
            long remaining = size - position;
            if (remaining < 4) throw cut(what, "its 4-byte length prefix", remaining);
            int first = readInt(channel, position);
            long metadataAt = position + 4;
            int metadataLength = first;
            if (first == CONTINUATION) {
                if (remaining < 8) throw cut(what, "its 8-byte prefix (continuation marker and length)", remaining);
                metadataLength = readInt(channel, position + 4);
                metadataAt = position + 8;
            }
            if (metadataLength == 0) return new StreamSummary(rows, batches, true, largest, compressed); // the end-of-stream marker
            Message message = message(channel, metadataAt, metadataLength, size, what);
            long end = checkBody(message, metadataAt + metadataLength, size, what);
            if (message.headerType() != MessageHeader.RecordBatch && message.headerType() != MessageHeader.DictionaryBatch) {
                // Arrow's stream reader reads such a message's body, then fails without releasing it
                throw new TensorFormatException(what + ": a message of type " + message.headerType()
                        + " where a record batch or dictionary batch must be");
            }
            if (message.headerType() == MessageHeader.RecordBatch) {
                RecordBatch batch = (RecordBatch) message.header(new RecordBatch());
                rows += batch.length();
                largest = Math.max(largest, batch.length());
                compressed |= batch.compression() != null;
                batches++;
            }
            position = end;
        }
    }

    /** The end of a stream's first message, which must be its schema. */
    private static long firstMessageEnd(SeekableByteChannel channel, long size) throws IOException {
        String what = "message 0";
        if (size < 8) throw cut(what, "its 8-byte prefix", size);
        int first = readInt(channel, 0);
        long metadataAt = first == CONTINUATION ? 8 : 4;
        int metadataLength = first == CONTINUATION ? readInt(channel, 4) : first;
        Message message = message(channel, metadataAt, metadataLength, size, what);
        long end = checkBody(message, metadataAt + metadataLength, size, what);
        if (message.headerType() != MessageHeader.Schema) throw new TensorFormatException(what + " is not a schema");
        org.apache.arrow.flatbuf.Schema schema = schemaOf(message, what);
        if (schema.fieldsLength() == 0) throw new TensorFormatException(what + ": the schema has no columns");
        checkSchema(schema, what);
        return end;
    }

    /**
     * Checks a file's record batch blocks (from its footer) and returns the row count of each, and whether it is compressed.
     *
     * @throws TensorFormatException naming the block whose framing does not fit the file
     */
    static FileBatches checkFileBlocks(SeekableByteChannel channel, List<ArrowBlock> blocks) throws IOException {
        long size = channel.size();
        long[] rows = new long[blocks.size()];
        boolean[] compressed = new boolean[blocks.size()];
        for (int i = 0; i < blocks.size(); i++) {
            ArrowBlock block = blocks.get(i);
            String what = "record batch " + i + " (at byte " + block.getOffset() + ")";
            if (block.getOffset() < 0 || block.getMetadataLength() < 8 || block.getBodyLength() < 0
                    || block.getOffset() > size - block.getMetadataLength()) {
                throw new TensorFormatException(what + ": the footer places it outside the " + size + "-byte file");
            }
            int first = readInt(channel, block.getOffset());
            long prefix = first == CONTINUATION ? 8 : 4;
            int metadataLength = first == CONTINUATION ? readInt(channel, block.getOffset() + 4) : first;
            if (metadataLength <= 0 || metadataLength > block.getMetadataLength() - prefix) {
                throw new TensorFormatException(what + ": metadata length " + metadataLength + " does not fit the footer's "
                        + block.getMetadataLength() + "-byte block");
            }
            long bodyAt = block.getOffset() + block.getMetadataLength();
            Message message = message(channel, block.getOffset() + prefix, metadataLength, size, what);
            if (message.headerType() != MessageHeader.RecordBatch) {
                throw new TensorFormatException(what + ": the footer points at a message that is not a record batch");
            }
            if (message.bodyLength() != block.getBodyLength()) {
                throw new TensorFormatException(what + ": body length " + message.bodyLength() + " differs from the footer's "
                        + block.getBodyLength());
            }
            checkBody(message, bodyAt, size, what);
            RecordBatch batch = (RecordBatch) message.header(new RecordBatch());
            rows[i] = batch.length();
            compressed[i] = batch.compression() != null;
        }
        return new FileBatches(rows, compressed);
    }

    /** Deeper than any real schema (a tensor column nests two levels); Arrow converts fields recursively. */
    static final int MAX_FIELD_NESTING = 64;
    /** Fields in a schema, children included: bounds the walk of a schema whose metadata points back into itself. */
    static final int MAX_FIELDS = 100_000;

    private static org.apache.arrow.flatbuf.Schema schemaOf(Message message, String what) {
        try {
            return (org.apache.arrow.flatbuf.Schema) message.header(new org.apache.arrow.flatbuf.Schema());
        } catch (RuntimeException e) {
            throw new TensorFormatException(what + ": malformed schema (" + describe(e) + ")", e);
        }
    }

    /**
     * Walks a schema's fields without recursion before Arrow converts them (recursively): a bit flip can make a
     * field its own child, which sends Arrow's conversion into a StackOverflowError.
     */
    static void checkSchema(org.apache.arrow.flatbuf.Schema schema, String what) {
        try {
            java.util.ArrayDeque<org.apache.arrow.flatbuf.Field> fields = new java.util.ArrayDeque<>();
            java.util.ArrayDeque<Integer> depths = new java.util.ArrayDeque<>();
            if (schema.fieldsLength() < 0 || schema.fieldsLength() > schema.getByteBuffer().capacity() / 4) {
                throw new TensorFormatException(what + ": malformed schema (" + schema.fieldsLength() + " fields)");
            }
            for (int i = 0; i < schema.fieldsLength(); i++) {
                fields.push(schema.fields(i));
                depths.push(1);
            }
            int seen = 0;
            while (!fields.isEmpty()) {
                org.apache.arrow.flatbuf.Field field = fields.pop();
                int depth = depths.pop();
                checkFieldVectors(field, what);
                if (++seen > MAX_FIELDS) {
                    throw new TensorFormatException(what + ": the schema has more than the limit of " + MAX_FIELDS + " fields");
                }
                if (depth > MAX_FIELD_NESTING) {
                    throw new TensorFormatException(what + ": the schema nests fields deeper than the limit of "
                            + MAX_FIELD_NESTING + " levels");
                }
                for (int i = 0; i < field.childrenLength(); i++) {
                    fields.push(field.children(i));
                    depths.push(depth + 1);
                }
            }
        } catch (TensorFormatException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new TensorFormatException(what + ": malformed schema (" + describe(e) + ")", e);
        }
    }

    /**
     * The lengths of a field's flatbuffer vectors must fit the metadata that holds them: Arrow allocates arrays of
     * those lengths (a Union's type ids) or iterates them (children, custom metadata) before anything else is checked.
     */
    private static void checkFieldVectors(org.apache.arrow.flatbuf.Field field, String what) {
        long limit = field.getByteBuffer().capacity() / 4;
        long children = field.childrenLength();
        long metadata = field.customMetadataLength();
        long typeIds = field.typeType() == org.apache.arrow.flatbuf.Type.Union
                ? ((org.apache.arrow.flatbuf.Union) field.type(new org.apache.arrow.flatbuf.Union())).typeIdsLength() : 0;
        if (children < 0 || children > limit || metadata < 0 || metadata > limit || typeIds < 0 || typeIds > limit) {
            throw new TensorFormatException(what + ": malformed schema (a field declares " + children + " children, "
                    + metadata + " metadata entries, " + typeIds + " union type ids in " + (limit * 4) + " bytes)");
        }
    }

    /**
     * Checks the schema in a file's footer (the one ArrowFileReader converts) before Arrow reads it; a file whose
     * footer does not frame (e.g. cut short) is not a readable Arrow IPC file.
     */
    static void checkFooterSchema(SeekableByteChannel channel) throws IOException {
        try {
            checkFooter(channel);
        } catch (TensorFormatException e) {
            throw new TensorFormatException("not a readable Arrow IPC file or stream (" + e.getMessage() + ")", e);
        }
    }

    private static void checkFooter(SeekableByteChannel channel) throws IOException {
        long size = channel.size();
        String what = "the footer";
        if (size < 6 + 4 + 6) throw new TensorFormatException(what + ": the file is too short for a footer (" + size + " bytes)");
        int footerLength = readInt(channel, size - 10);
        if (footerLength <= 0 || footerLength > size - 10 - 8) {
            throw new TensorFormatException(what + ": footer length " + footerLength + " does not fit the " + size + "-byte file");
        }
        ByteBuffer bytes = read(channel, size - 10 - footerLength, footerLength);
        org.apache.arrow.flatbuf.Schema schema;
        try {
            schema = org.apache.arrow.flatbuf.Footer.getRootAsFooter(bytes).schema();
        } catch (RuntimeException e) {
            throw new TensorFormatException(what + ": malformed (" + describe(e) + ")", e);
        }
        if (schema == null) throw new TensorFormatException(what + ": has no schema");
        // a tensor file has at least its tensor column; Arrow's file reader leaks a buffer on a schema without any
        if (schema.fieldsLength() == 0) throw new TensorFormatException(what + ": the schema has no columns");
        checkSchema(schema, what);
    }

    private static Message message(SeekableByteChannel channel, long at, int length, long size, String what) throws IOException {
        if (length < 0 || length > size - at) {
            throw new TensorFormatException(what + ": declares " + Integer.toUnsignedString(length) + " bytes of metadata but "
                    + (size - at) + " bytes remain (cut short, or not Arrow IPC)");
        }
        ByteBuffer bytes = read(channel, at, length);
        try {
            return Message.getRootAsMessage(bytes);
        } catch (RuntimeException e) {
            throw new TensorFormatException(what + ": malformed metadata (" + describe(e) + ")", e);
        }
    }

    /**
     * Checks that the message's body lies inside the file and that every field node and buffer of a (dictionary)
     * record batch fits it; returns the position after the body.
     */
    private static long checkBody(Message message, long bodyAt, long size, String what) {
        try {
            long bodyLength = message.bodyLength();
            if (bodyLength < 0 || bodyLength > size - bodyAt) {
                throw new TensorFormatException(what + ": declares a body of " + bodyLength + " bytes but " + (size - bodyAt)
                        + " bytes remain (cut short?)");
            }
            RecordBatch batch = switch (message.headerType()) {
                case MessageHeader.RecordBatch -> (RecordBatch) message.header(new RecordBatch());
                case MessageHeader.DictionaryBatch -> ((DictionaryBatch) message.header(new DictionaryBatch())).data();
                case MessageHeader.Schema -> null;
                default -> throw new TensorFormatException(what + ": unsupported message type " + message.headerType());
            };
            if (batch == null && message.headerType() == MessageHeader.DictionaryBatch) {
                // Arrow's reader reads the body, then fails on the missing batch without releasing it
                throw new TensorFormatException(what + ": a dictionary batch without its record batch");
            }
            if (batch != null) checkBatch(batch, bodyLength, what);
            return bodyAt + bodyLength;
        } catch (TensorFormatException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new TensorFormatException(what + ": malformed metadata (" + describe(e) + ")", e);
        }
    }

    private static void checkBatch(RecordBatch batch, long bodyLength, String what) {
        if (batch.length() < 0 || batch.length() > Integer.MAX_VALUE) {
            throw new TensorFormatException(what + ": row count " + batch.length() + " outside [0, 2^31)");
        }
        // Arrow sizes every column's validity bitmap by the row count: uncompressed, a row needs at least a bit
        if (batch.compression() == null && batch.length() > 8 * bodyLength + 64) {
            throw new TensorFormatException(what + ": claims " + batch.length() + " rows, more than its " + bodyLength
                    + "-byte body holds");
        }
        int nodes = batch.nodesLength();
        int buffers = batch.buffersLength();
        int limit = batch.getByteBuffer().capacity() / STRUCT_BYTES;
        if (nodes < 0 || nodes > limit || buffers < 0 || buffers > limit) {
            throw new TensorFormatException(what + ": malformed metadata (" + nodes + " field nodes, " + buffers + " buffers)");
        }
        // Arrow allocates a validity bitmap for a field sent without one, sized by the field's length; uncompressed,
        // N values need at least N bits of body, so a length beyond that is a lie (a bit flip) that would allocate.
        long maxValues = batch.compression() == null ? 8 * bodyLength + 64 : Integer.MAX_VALUE;
        FieldNode node = new FieldNode();
        for (int i = 0; i < nodes; i++) {
            batch.nodes(node, i);
            if (node.length() < 0 || node.length() > Integer.MAX_VALUE || node.nullCount() < 0 || node.nullCount() > node.length()) {
                throw new TensorFormatException(what + ": field node " + i + " has length " + node.length() + " and null count "
                        + node.nullCount());
            }
            if (node.length() > maxValues) {
                throw new TensorFormatException(what + ": field node " + i + " claims " + node.length()
                        + " values, more than its " + bodyLength + "-byte body holds");
            }
        }
        org.apache.arrow.flatbuf.BodyCompression compression = batch.compression(); // read as Arrow will: it must parse
        if (compression != null && (compression.codec() < 0 || compression.method() != 0)) {
            throw new TensorFormatException(what + ": unknown body compression (codec " + compression.codec() + ", method "
                    + compression.method() + ")");
        }
        int variadic = batch.variadicBufferCountsLength();
        if (variadic < 0 || variadic > limit) throw new TensorFormatException(what + ": malformed metadata (" + variadic + " variadic counts)");
        for (int i = 0; i < variadic; i++) batch.variadicBufferCounts(i);
        Buffer buffer = new Buffer();
        for (int i = 0; i < buffers; i++) {
            batch.buffers(buffer, i);
            if (buffer.offset() < 0 || buffer.length() < 0 || buffer.length() > bodyLength - buffer.offset()) {
                throw new TensorFormatException(what + ": buffer " + i + " [" + buffer.offset() + ", +" + buffer.length()
                        + ") lies outside the " + bodyLength + "-byte body");
            }
        }
    }

    private static TensorFormatException cut(String what, String part, long remaining) {
        return new TensorFormatException(what + ": the stream ends inside " + part + " (" + remaining + " bytes left; cut short?)");
    }

    private static int readInt(SeekableByteChannel channel, long at) throws IOException {
        return read(channel, at, 4).order(ByteOrder.LITTLE_ENDIAN).getInt(0);
    }

    private static ByteBuffer read(SeekableByteChannel channel, long at, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        channel.position(at);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer) < 0) throw new TensorFormatException("ends at byte " + channel.position() + ", inside a message");
        }
        return buffer.flip();
    }

    /** An exception's message, or its class where it has none (never {@code null}). */
    static String describe(Throwable e) {
        return e.getMessage() == null || e.getMessage().isBlank() ? e.getClass().getSimpleName() : e.getMessage();
    }
}
