package io.convjob.arrow;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.flatbuf.Buffer;
import org.apache.arrow.flatbuf.FieldNode;
import org.apache.arrow.flatbuf.RecordBatch;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.TypeLayout;
import org.apache.arrow.vector.compression.NoCompressionCodec;
import org.apache.arrow.vector.ipc.message.ArrowFieldNode;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;

/**
 * Reads rows {@code [from, to)} of one uncompressed record batch straight from its body, as a record batch of its
 * own, so a record batch larger than memory allows is read a slice of rows at a time. In the IPC format every
 * column's rows are contiguous: a tensor slice is one byte range of the float values (and of each validity bitmap),
 * a fixed-width column's likewise, and a variable-size column's a range of offsets and then of its data. Only those
 * ranges are read, into buffers reused from slice to slice, so memory follows the slice, not the record batch.
 * Compressed buffers cannot be cut without decompressing them whole: such batches are not sliced (see
 * {@link TensorFileReader#readInSlices}). Not thread-safe.
 */
final class BatchSlicer implements AutoCloseable {
    /** Reads {@code length} bytes at {@code offset} of the batch's body into {@code into} at {@code at}. */
    @FunctionalInterface
    interface Body {
        void read(long offset, ArrowBuf into, long at, long length) throws IOException;
    }

    /** How a column's rows map to its buffers; anything else (unions, views, run-end encoded) is not sliced. */
    private enum Kind { NULL, FIXED, VARIABLE, LIST, FIXED_LIST, STRUCT }

    private record Column(String name, Kind kind, int bitWidth, int listSize, int node, int firstBuffer, List<Column> children) {}

    private final List<Column> columns = new ArrayList<>();
    private final FieldNode[] nodes;
    private final Buffer[] buffers;
    private final long rows;
    private final BufferAllocator allocator;
    /** One reused output buffer per input buffer, grown only when a slice needs more. */
    private final ArrowBuf[] scratch;

    /**
     * @throws TensorFormatException if a column's type cannot be sliced, or the metadata does not match the schema
     */
    BatchSlicer(List<Field> fields, RecordBatch batch, BufferAllocator allocator) {
        this.rows = batch.length();
        this.allocator = allocator;
        this.nodes = new FieldNode[batch.nodesLength()];
        for (int i = 0; i < nodes.length; i++) nodes[i] = batch.nodes(new FieldNode(), i);
        this.buffers = new Buffer[batch.buffersLength()];
        for (int i = 0; i < buffers.length; i++) buffers[i] = batch.buffers(new Buffer(), i);
        int[] next = {0, 0}; // node, buffer
        for (Field field : fields) columns.add(column(field, field.getName(), next));
        if (next[0] != nodes.length || next[1] != buffers.length) {
            throw new TensorFormatException("the batch has " + nodes.length + " field nodes and " + buffers.length
                    + " buffers where its schema has " + next[0] + " and " + next[1]);
        }
        this.scratch = new ArrowBuf[buffers.length];
    }

    private Column column(Field field, String name, int[] next) {
        ArrowType type = field.getType() instanceof ArrowType.ExtensionType e ? e.storageType() : field.getType();
        Kind kind;
        int bitWidth = 0;
        int listSize = 0;
        if (type instanceof ArrowType.Null) {
            kind = Kind.NULL;
        } else if (type instanceof ArrowType.Bool) {
            kind = Kind.FIXED;
            bitWidth = 1;
        } else if (type instanceof ArrowType.Utf8 || type instanceof ArrowType.Binary) {
            kind = Kind.VARIABLE;
            bitWidth = 32;
        } else if (type instanceof ArrowType.LargeUtf8 || type instanceof ArrowType.LargeBinary) {
            kind = Kind.VARIABLE;
            bitWidth = 64;
        } else if (type instanceof ArrowType.List || type instanceof ArrowType.Map) {
            kind = Kind.LIST;
            bitWidth = 32;
        } else if (type instanceof ArrowType.LargeList) {
            kind = Kind.LIST;
            bitWidth = 64;
        } else if (type instanceof ArrowType.FixedSizeList l) {
            kind = Kind.FIXED_LIST;
            listSize = l.getListSize();
        } else if (type instanceof ArrowType.Struct) {
            kind = Kind.STRUCT;
        } else {
            // fixed-width values (ints, floats, dates, decimals, ...): a validity bitmap and whole bytes per value
            var layouts = TypeLayout.getTypeLayout(type).getBufferLayouts();
            boolean fixed = layouts.size() == 2 && field.getChildren().isEmpty()
                    && layouts.get(1).getType() == org.apache.arrow.vector.BufferLayout.BufferType.DATA
                    && layouts.get(1).getTypeBitWidth() % 8 == 0 && layouts.get(1).getTypeBitWidth() > 0;
            if (!fixed) {
                throw new TensorFormatException("column '" + name + "' (" + type + ") cannot be read in slices of rows");
            }
            kind = Kind.FIXED;
            bitWidth = layouts.get(1).getTypeBitWidth();
        }
        int node = next[0]++;
        int firstBuffer = next[1];
        next[1] += switch (kind) {
            case NULL -> 0;
            case FIXED, LIST -> 2;
            case VARIABLE -> 3;
            case FIXED_LIST, STRUCT -> 1;
        };
        List<Column> children = new ArrayList<>();
        for (Field child : field.getChildren()) children.add(column(child, name + "." + child.getName(), next));
        if ((kind == Kind.LIST || kind == Kind.FIXED_LIST) && children.size() != 1) {
            throw new TensorFormatException("column '" + name + "' is a list with " + children.size() + " child fields");
        }
        return new Column(name, kind, bitWidth, listSize, node, firstBuffer, children);
    }

    /**
     * Reads rows {@code [from, to)} as a record batch over this slicer's buffers (valid until the next slice); the
     * caller loads and closes it.
     */
    ArrowRecordBatch slice(long from, long to, Body body) throws IOException {
        if (from < 0 || to < from || to > rows) throw new IllegalArgumentException("rows [" + from + ", " + to + ") of " + rows);
        List<ArrowFieldNode> outNodes = new ArrayList<>(nodes.length);
        List<ArrowBuf> outBuffers = new ArrayList<>(buffers.length);
        for (int i = 0; i < buffers.length; i++) outBuffers.add(null);
        for (Column c : columns) slice(c, from, to, body, outNodes, outBuffers);
        return new ArrowRecordBatch(Math.toIntExact(to - from), outNodes, outBuffers, NoCompressionCodec.DEFAULT_BODY_COMPRESSION,
                null, false, true);
    }

    private void slice(Column c, long from, long to, Body body, List<ArrowFieldNode> outNodes, List<ArrowBuf> out) throws IOException {
        FieldNode node = nodes[c.node()];
        if (to > node.length()) {
            throw new TensorFormatException("column '" + c.name() + "' has " + node.length() + " values, fewer than the "
                    + to + " its rows need");
        }
        long count = to - from;
        if (c.kind() == Kind.NULL) {
            outNodes.add(new ArrowFieldNode(count, count));
            return;
        }
        int validity = c.firstBuffer();
        long nulls;
        if (buffers[validity].length() == 0) {
            if (node.nullCount() != 0 && node.nullCount() != node.length()) {
                throw new TensorFormatException("column '" + c.name() + "' has " + node.nullCount() + " nulls but no validity bitmap");
            }
            nulls = node.nullCount() == 0 ? 0 : count;
            out.set(validity, allocator.getEmpty());
        } else {
            ArrowBuf bits = bits(validity, from, to, body, c);
            nulls = node.nullCount() == 0 ? 0 : count - popCount(bits, count);
            out.set(validity, bits);
        }
        outNodes.add(new ArrowFieldNode(count, nulls));
        switch (c.kind()) {
            case FIXED -> out.set(validity + 1, c.bitWidth() == 1 ? bits(validity + 1, from, to, body, c)
                    : bytes(validity + 1, from * c.bitWidth() / 8, count * c.bitWidth() / 8, body, c));
            case VARIABLE -> {
                long[] range = offsets(validity + 1, from, to, c.bitWidth() / 8, body, out, c);
                out.set(validity + 2, bytes(validity + 2, range[0], range[1] - range[0], body, c));
            }
            case LIST -> {
                long[] range = offsets(validity + 1, from, to, c.bitWidth() / 8, body, out, c);
                slice(c.children().get(0), range[0], range[1], body, outNodes, out);
            }
            case FIXED_LIST -> slice(c.children().get(0), from * c.listSize(), to * c.listSize(), body, outNodes, out);
            case STRUCT -> {
                for (Column child : c.children()) slice(child, from, to, body, outNodes, out);
            }
            case NULL -> throw new IllegalStateException();
        }
    }

    /** {@code length} bytes from {@code offset} of buffer {@code index}, into its scratch buffer. */
    private ArrowBuf bytes(int index, long offset, long length, Body body, Column c) throws IOException {
        Buffer b = buffers[index];
        if (offset < 0 || length < 0 || offset + length > b.length()) {
            throw new TensorFormatException("column '" + c.name() + "': buffer " + index + " has " + b.length()
                    + " bytes, fewer than the " + (offset + length) + " its rows need");
        }
        ArrowBuf into = scratch(index, length);
        if (length > 0) body.read(b.offset() + offset, into, 0, length);
        return into.slice(0, length);
    }

    /** Bits {@code [from, to)} of bitmap buffer {@code index}, shifted to start at bit 0 (the rest of the last byte cleared). */
    private ArrowBuf bits(int index, long from, long to, Body body, Column c) throws IOException {
        long firstByte = from >>> 3;
        long byteCount = ((to + 7) >>> 3) - firstByte;
        ArrowBuf raw = bytes(index, firstByte, byteCount, body, c);
        int shift = (int) (from & 7);
        long outBytes = (to - from + 7) >>> 3;
        if (shift != 0) {
            for (long k = 0; k < outBytes; k++) {
                int low = (raw.getByte(k) & 0xFF) >>> shift;
                int high = k + 1 < byteCount ? (raw.getByte(k + 1) & 0xFF) << (8 - shift) : 0;
                raw.setByte(k, (low | high) & 0xFF);
            }
        }
        int tail = (int) ((to - from) & 7);
        if (tail != 0) raw.setByte(outBytes - 1, raw.getByte(outBytes - 1) & ((1 << tail) - 1));
        return raw.slice(0, outBytes);
    }

    private static long popCount(ArrowBuf bits, long count) {
        long ones = 0;
        long whole = count >>> 3;
        long k = 0;
        for (; k + 8 <= whole; k += 8) ones += Long.bitCount(bits.getLong(k));
        for (; k < (count + 7) >>> 3; k++) ones += Integer.bitCount(bits.getByte(k) & 0xFF);
        return ones;
    }

    /**
     * Offsets {@code [from, to]} of buffer {@code index}, rebased to start at 0 (into the output list); returns the
     * range of child values or data bytes they span.
     */
    private long[] offsets(int index, long from, long to, int width, Body body, List<ArrowBuf> out, Column c) throws IOException {
        ArrowBuf offsets = bytes(index, from * width, (to - from + 1) * width, body, c);
        long first = width == 4 ? offsets.getInt(0) : offsets.getLong(0);
        long previous = first;
        for (long i = 0; i <= to - from; i++) {
            long value = width == 4 ? offsets.getInt(i * 4) : offsets.getLong(i * 8);
            if (value < previous || first < 0) {
                throw new TensorFormatException("column '" + c.name() + "': offsets decrease at row " + (from + i));
            }
            previous = value;
            if (width == 4) offsets.setInt(i * 4, (int) (value - first));
            else offsets.setLong(i * 8, value - first);
        }
        out.set(index, offsets);
        return new long[] {first, previous};
    }

    private ArrowBuf scratch(int index, long length) {
        if (scratch[index] == null || scratch[index].capacity() < length) {
            if (scratch[index] != null) scratch[index].close(); // vectors of an earlier slice keep theirs alive
            scratch[index] = allocator.buffer(Math.max(length, 64));
        }
        return scratch[index];
    }

    @Override
    public void close() {
        for (ArrowBuf b : scratch) if (b != null) b.close();
    }
}
