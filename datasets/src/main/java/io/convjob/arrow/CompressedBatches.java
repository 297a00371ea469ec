package io.convjob.arrow;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.apache.arrow.compression.CommonsCompressionFactory;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BufferLayout;
import org.apache.arrow.vector.TypeLayout;
import org.apache.arrow.vector.compression.CompressionCodec;
import org.apache.arrow.vector.compression.CompressionUtil;
import org.apache.arrow.vector.compression.NoCompressionCodec;
import org.apache.arrow.vector.ipc.message.ArrowFieldNode;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.commons.compress.compressors.lz4.FramedLZ4CompressorInputStream;

/**
 * Checks a record batch's buffers against its field nodes before Arrow's loader sees them (every column has the
 * batch's rows, every buffer holds what its values need: Arrow's vectors trust both), and decompresses an LZ4_FRAME
 * or ZSTD record batch itself, after checking every buffer's
 * declared uncompressed length (the 8-byte little-endian prefix of each compressed buffer) against what the batch's
 * field nodes imply and against the codec's largest possible compression ratio. Arrow's codecs trust that length:
 * LZ4 allocates a {@code byte[]} of it on the heap (an OutOfMemoryError from a 2 KB file), and a negative or corrupt
 * buffer throws after the field's earlier buffers were decompressed, which are then never released (a leak). Here
 * every refusal is a {@link TensorFormatException} naming the buffer and its sizes, and nothing stays allocated.
 */
final class CompressedBatches {
    /** LZ4 encodes at most 255 bytes of match per byte of input (a frame also has its headers): 256:1 is safe. */
    static final long LZ4_MAX_RATIO = 256;
    /** ZSTD's best case is an RLE block: 4 bytes (3 of header) for at most 128 KiB of output, so 32768:1. */
    static final long ZSTD_MAX_RATIO = 32_768;
    /** Writers may pad a buffer (Arrow recommends 64-byte alignment); beyond that a declared length is a lie. */
    private static final long PADDING = 64;
    /** The prefix holding a compressed buffer's uncompressed length; -1 there means "stored uncompressed". */
    private static final int PREFIX = 8;
    private static final long STORED_UNCOMPRESSED = -1;
    private static final int CHUNK = 64 << 10;

    private CompressedBatches() {}

    /**
     * A buffer's place in the schema: whose, which role, the most bytes its field node allows (-1: not implied) and
     * the fewest it needs (0 for a validity bitmap, which a batch without nulls may leave out).
     */
    private record Slot(String field, String role, long impliedBytes, long neededBytes) {
        String describe(int index) {
            return "buffer " + index + ", the " + role + " of column '" + field + "',";
        }
    }

    /**
     * Returns {@code batch} itself when it is not compressed, otherwise a new uncompressed batch with the same nodes
     * holding fresh decompressed buffers (or slices of the body for buffers stored uncompressed). The caller closes
     * both; on a refusal nothing new stays allocated.
     *
     * @param fields the schema's top-level fields, whose layout orders the batch's nodes and buffers
     * @throws TensorFormatException naming the buffer whose sizes do not hold, or whose bytes do not decompress
     */
    static ArrowRecordBatch decompress(ArrowRecordBatch batch, List<Field> fields, BufferAllocator allocator) {
        CompressionUtil.CodecType codec = CompressionUtil.CodecType.fromCompressionType(batch.getBodyCompression().getCodec());
        List<ArrowBuf> buffers = batch.getBuffers();
        List<Slot> slots = slots(fields, batch.getNodes(), batch.getVariadicBufferCounts(), batch.getLength());
        if (slots.size() != buffers.size()) {
            throw new TensorFormatException("the batch has " + buffers.size() + " buffers where its schema has " + slots.size());
        }
        if (codec == CompressionUtil.CodecType.NO_COMPRESSION) {
            for (int i = 0; i < buffers.size(); i++) checkNeeded(slots.get(i), i, buffers.get(i).writerIndex());
            return batch;
        }
        long maxRatio = codec == CompressionUtil.CodecType.LZ4_FRAME ? LZ4_MAX_RATIO : ZSTD_MAX_RATIO;
        long[] declared = new long[buffers.size()];
        long uncompressedBody = 0;
        for (int i = 0; i < buffers.size(); i++) {
            declared[i] = declaredLength(buffers.get(i), slots.get(i), i, codec, maxRatio);
            long length = declared[i] == STORED_UNCOMPRESSED ? buffers.get(i).writerIndex() - PREFIX : declared[i];
            checkNeeded(slots.get(i), i, length);
            uncompressedBody += length;
        }
        checkNodes(batch, uncompressedBody);
        List<ArrowBuf> plain = new ArrayList<>(buffers.size());
        try {
            for (int i = 0; i < buffers.size(); i++) {
                plain.add(decompressed(buffers.get(i), declared[i], slots.get(i).describe(i), codec, allocator));
            }
            // the new batch takes over the references decompressed() holds (retainBuffers false)
            return new ArrowRecordBatch(batch.getLength(), batch.getNodes(), plain, NoCompressionCodec.DEFAULT_BODY_COMPRESSION,
                    batch.getVariadicBufferCounts(), false, false);
        } catch (RuntimeException e) {
            plain.forEach(ArrowBuf::close);
            throw e;
        }
    }

    /**
     * Every buffer's role and implied size, in the order Arrow's VectorLoader consumes them: fields depth-first,
     * one field node each, {@code TypeLayout}'s buffers each (plus the variadic data buffers of view types).
     */
    private static List<Slot> slots(List<Field> fields, List<ArrowFieldNode> nodes, List<Long> variadicCounts, long rows) {
        List<Slot> slots = new ArrayList<>();
        Deque<Field> pending = new ArrayDeque<>();
        Deque<String> names = new ArrayDeque<>();
        Deque<Boolean> topLevel = new ArrayDeque<>();
        Deque<Long> minLengths = new ArrayDeque<>(); // what a child's parent sets its value count to
        for (int i = fields.size() - 1; i >= 0; i--) {
            pending.push(fields.get(i));
            names.push(fields.get(i).getName());
            topLevel.push(true);
            minLengths.push(rows);
        }
        int node = 0;
        int variadic = 0;
        while (!pending.isEmpty()) {
            Field field = pending.pop();
            String name = names.pop();
            boolean column = topLevel.pop();
            long minLength = minLengths.pop();
            if (node >= nodes.size()) {
                throw new TensorFormatException("the batch has " + nodes.size() + " field nodes, fewer than its schema's fields");
            }
            long length = nodes.get(node++).getLength();
            // Arrow sets every column's value count to the batch's rows, re-allocating (and on a short buffer leaking) if more
            if (column && length != rows) {
                throw new TensorFormatException("column '" + name + "' has " + length + " values in a record batch of " + rows + " rows");
            }
            // a fixed-size list or struct sets its children's value counts from its own: fewer re-allocate (and may leak)
            if (!column && length < minLength) {
                throw new TensorFormatException("column '" + name + "' has " + length + " values, fewer than the " + minLength
                        + " its parent's values need");
            }
            ArrowType type = field.getType() instanceof ArrowType.ExtensionType e ? e.storageType() : field.getType();
            List<BufferLayout> layouts = TypeLayout.getTypeLayout(type).getBufferLayouts();
            boolean variableData = layouts.stream().anyMatch(l -> l.getType() == BufferLayout.BufferType.OFFSET);
            long count = TypeLayout.getTypeBufferCount(type);
            if (type instanceof ArrowType.Utf8View || type instanceof ArrowType.BinaryView) {
                if (variadicCounts == null || variadic >= variadicCounts.size()) {
                    throw new TensorFormatException("column '" + name + "' is a view type but the batch gives no variadic buffer count");
                }
                count += variadicCounts.get(variadic++);
            }
            if (count < 0 || count > Integer.MAX_VALUE) throw new TensorFormatException("column '" + name + "' declares " + count + " buffers");
            // dense unions and list views have an offset per value; lists and variable-size binary one more
            boolean offsetPerValue = type instanceof ArrowType.Union || type instanceof ArrowType.ListView
                    || type instanceof ArrowType.LargeListView;
            for (int j = 0; j < count; j++) {
                BufferLayout layout = j < layouts.size() ? layouts.get(j) : null;
                slots.add(slot(name, layout, length, variableData, offsetPerValue));
            }
            List<Field> children = field.getChildren();
            for (int c = children.size() - 1; c >= 0; c--) {
                pending.push(children.get(c));
                names.push(name + "." + children.get(c).getName());
                topLevel.push(false);
                minLengths.push(type instanceof ArrowType.FixedSizeList l ? length * l.getListSize()
                        : type instanceof ArrowType.Struct ? length : 0);
            }
        }
        return slots;
    }

    private static Slot slot(String field, BufferLayout layout, long length, boolean variableData, boolean offsetPerValue) {
        if (layout == null || layout.getType() == BufferLayout.BufferType.VARIADIC_DATA_BUFFERS) return new Slot(field, "variadic data", -1, 0);
        long bits = layout.getTypeBitWidth();
        long fixed = bytesForBits(length * bits);
        return switch (layout.getType()) {
            case VALIDITY -> new Slot(field, "validity bitmap", bytesForBits(length), 0);
            case OFFSET -> new Slot(field, "offsets", bytesForBits((length + 1) * bits),
                    length == 0 ? 0 : bytesForBits((length + (offsetPerValue ? 0 : 1)) * bits));
            case TYPE -> new Slot(field, "type ids", fixed, fixed);
            case SIZE -> new Slot(field, "sizes", fixed, fixed);
            case VIEWS -> new Slot(field, "views", length * 16, length * 16);
            // fixed-width values: exactly length of them; after offsets the data's size is the last offset (unknown here)
            case DATA -> variableData ? new Slot(field, "values", -1, 0) : new Slot(field, "values", fixed, fixed);
            default -> new Slot(field, layout.getType().toString().toLowerCase(java.util.Locale.ROOT), -1, 0);
        };
    }

    /**
     * A buffer must hold what its field node's values need (a validity bitmap may be left out): Arrow's vectors do not
     * check, and re-allocate a short buffer when the row count is set, leaking the new one if the copy fails.
     */
    private static void checkNeeded(Slot slot, int index, long bytes) {
        boolean leftOut = bytes == 0 && slot.role().equals("validity bitmap");
        if (!leftOut && bytes < slot.neededBytes()) {
            throw new TensorFormatException(slot.describe(index) + " has " + bytes + " bytes, fewer than the "
                    + slot.neededBytes() + " its values need");
        }
    }

    private static long bytesForBits(long bits) {
        return (bits + 7) / 8;
    }

    /** The buffer's declared uncompressed length, checked; {@value #STORED_UNCOMPRESSED} for a buffer stored as is, 0 for an empty one. */
    private static long declaredLength(ArrowBuf buffer, Slot slot, int index, CompressionUtil.CodecType codec, long maxRatio) {
        long stored = buffer.writerIndex();
        if (stored == 0) return 0; // a buffer left out (no nulls): nothing to decompress
        String what = slot.describe(index);
        if (stored < PREFIX) {
            throw new TensorFormatException(what + " has " + stored + " bytes, fewer than its 8-byte uncompressed-length prefix");
        }
        long declared = buffer.getLong(0);
        if (declared == STORED_UNCOMPRESSED) return declared;
        if (declared < 0) {
            throw new TensorFormatException(what + " declares the negative uncompressed length " + declared);
        }
        if (slot.impliedBytes() >= 0 && declared > roundUp(slot.impliedBytes(), PADDING)) {
            throw new TensorFormatException(what + " declares " + declared + " bytes uncompressed, but its field node implies "
                    + slot.impliedBytes() + " bytes");
        }
        long compressed = stored - PREFIX;
        if (declared > maxRatio * compressed) {
            throw new TensorFormatException(what + " declares " + declared + " bytes uncompressed from " + compressed
                    + " compressed bytes, beyond " + codec + "'s largest ratio of " + maxRatio + ":1");
        }
        return declared;
    }

    private static long roundUp(long bytes, long multiple) {
        return (bytes + multiple - 1) / multiple * multiple;
    }

    /**
     * Arrow sizes a field's validity bitmap by its node's length even when the batch sends none, so, as for an
     * uncompressed body ({@link IpcStructure}), a row or value needs at least a bit of the (uncompressed) body.
     */
    private static void checkNodes(ArrowRecordBatch batch, long uncompressedBody) {
        long limit = 8 * uncompressedBody + 64;
        if (batch.getLength() > limit) {
            throw new TensorFormatException("claims " + batch.getLength() + " rows, more than its body holds uncompressed ("
                    + uncompressedBody + " bytes)");
        }
        List<ArrowFieldNode> nodes = batch.getNodes();
        for (int i = 0; i < nodes.size(); i++) {
            if (nodes.get(i).getLength() > limit) {
                throw new TensorFormatException("field node " + i + " claims " + nodes.get(i).getLength()
                        + " values, more than its body holds uncompressed (" + uncompressedBody + " bytes)");
            }
        }
    }

    /** One buffer decompressed (a new reference the caller owns), checked to hold exactly the declared bytes. */
    private static ArrowBuf decompressed(ArrowBuf buffer, long declared, String what, CompressionUtil.CodecType codec,
                                         BufferAllocator allocator) {
        long stored = buffer.writerIndex();
        if (stored == 0 || declared == STORED_UNCOMPRESSED) {
            buffer.getReferenceManager().retain(); // the slice shares the body's reference count
            return stored == 0 ? buffer : buffer.slice(PREFIX, stored - PREFIX);
        }
        if (declared == 0) return allocator.getEmpty();
        return codec == CompressionUtil.CodecType.LZ4_FRAME ? lz4(buffer, declared, what, allocator) : zstd(buffer, declared, what, allocator);
    }

    /**
     * LZ4 frames streamed straight into the output buffer: Arrow's codec copies the input and the output through
     * three heap arrays of their full size and never checks the length that comes out.
     */
    private static ArrowBuf lz4(ArrowBuf buffer, long declared, String what, BufferAllocator allocator) {
        ArrowBuf out = allocator.buffer(declared);
        try (InputStream in = new FramedLZ4CompressorInputStream(new BufferInputStream(buffer, PREFIX, buffer.writerIndex()))) {
            byte[] chunk = new byte[(int) Math.min(CHUNK, declared + 1)];
            long at = 0;
            int n;
            // ask for one byte beyond the declared length, to see content that is longer
            while ((n = in.read(chunk, 0, (int) Math.min(chunk.length, declared + 1 - at))) > 0) {
                if (at + n > declared) {
                    throw new TensorFormatException(what + " decompresses to more than the " + declared + " bytes it declares");
                }
                out.setBytes(at, chunk, 0, n);
                at += n;
            }
            if (at != declared) {
                throw new TensorFormatException(what + " decompresses to " + at + " bytes, not the " + declared + " it declares");
            }
            out.writerIndex(declared);
            return out;
        } catch (TensorFormatException e) {
            out.close();
            throw e;
        } catch (IOException | RuntimeException e) {
            out.close();
            throw new TensorFormatException(what + " is not valid LZ4 frame data: " + IpcStructure.describe(e), e);
        }
    }

    /** Arrow's ZSTD codec decompresses off-heap into a buffer of the declared size and checks what comes out. */
    private static ArrowBuf zstd(ArrowBuf buffer, long declared, String what, BufferAllocator allocator) {
        CompressionCodec codec = CommonsCompressionFactory.INSTANCE.createCodec(CompressionUtil.CodecType.ZSTD);
        buffer.getReferenceManager().retain(); // decompress() releases its input when it succeeds, and only then
        try {
            return codec.decompress(allocator, buffer);
        } catch (RuntimeException e) {
            buffer.getReferenceManager().release();
            throw new TensorFormatException(what + " is not valid ZSTD data: " + IpcStructure.describe(e), e);
        }
    }

    /** Reads {@code [from, to)} of an ArrowBuf without copying it to the heap first. */
    private static final class BufferInputStream extends InputStream {
        private final ArrowBuf buffer;
        private final long end;
        private long position;

        BufferInputStream(ArrowBuf buffer, long from, long to) {
            this.buffer = buffer;
            this.position = from;
            this.end = to;
        }

        @Override
        public int read() {
            return position < end ? buffer.getByte(position++) & 0xFF : -1;
        }

        @Override
        public int read(byte[] into, int offset, int length) {
            if (length == 0) return 0;
            if (position >= end) return -1;
            int n = (int) Math.min(length, end - position);
            buffer.getBytes(position, into, offset, n);
            position += n;
            return n;
        }
    }
}
