package io.convjob.arrow;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import io.convjob.error.InputException;
import io.convjob.storage.Storage;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.arrow.compression.CommonsCompressionFactory;
import org.apache.arrow.flatbuf.Message;
import org.apache.arrow.flatbuf.MessageHeader;
import org.apache.arrow.flatbuf.RecordBatch;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorLoader;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.ipc.SeekableReadChannel;
import org.apache.arrow.vector.ipc.message.ArrowBlock;
import org.apache.arrow.vector.ipc.message.ArrowDictionaryBatch;
import org.apache.arrow.vector.dictionary.Dictionary;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.ipc.message.MessageMetadataResult;
import org.apache.arrow.vector.ipc.message.MessageSerializer;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.arrow.vector.util.ValueVectorUtility;

/**
 * Reads a tensor dataset file: Arrow IPC file format (or, detected by its missing {@code ARROW1} magic, the IPC
 * stream format) with one tensor column, {@code arrow.fixed_shape_tensor} of float32 or a plain
 * {@code FixedSizeList<float32>} / {@code List<float32>} with a caller-supplied shape, beside any other columns.
 *
 * <p>Use as a cursor: {@code while (reader.loadNextBatch()) { reader.root(); reader.copyTensors(buf, 0); }}.
 * The reader owns a child allocator of the one given, its {@link #root()} and every vector in it; all are
 * released by {@link #close()}. Record batches may be LZ4_FRAME or ZSTD compressed. In the file format every
 * uncompressed batch is read into one buffer reused from batch to batch (fresh memory is slow: a page fault per
 * 4 KiB), so the vectors of {@link #root()} are views of it until the next load. Not thread-safe.
 */
public final class TensorFileReader implements AutoCloseable {
    /** The tensor column's default name. */
    public static final String DEFAULT_COLUMN = "tensor";

    /** Tensor bytes a load holds at most on the Spark paths ({@link #readInSlicesOf}): a record batch beyond is read in slices. */
    public static final long SPARK_SLICE_BYTES = 64L << 20;

    private static final byte[] FILE_MAGIC = "ARROW1".getBytes(StandardCharsets.US_ASCII);

    private final String file;
    private final ChannelSource source;
    private final BufferAllocator allocator;
    private final ArrowReader reader;
    private final boolean streamFormat;
    private final List<ArrowBlock> blocks;     // file format only
    private final long[] batchFirstRows;       // file format only: prefix sums of batch row counts, length blocks+1
    private final boolean[] batchCompressed;   // file format only: whether each batch's body is compressed
    private final IpcStructure.StreamSummary streamSummary; // stream format only: rows etc. from the structure check
    private final VectorSchemaRoot root;
    private final String column;
    private final int columnIndex;
    private final FixedShapeTensorType tensorType;
    private final SeekableReadChannel blockChannel; // file format only: reads record batches into batchBuffer
    private final VectorLoader loader;
    private ArrowBuf batchBuffer;                     // file format only: reused for every batch's bytes
    private int currentBatch = -1;
    private int nextBatch;
    private long currentFirstRow;
    private long streamRowsSeen;
    private int sliceRows = Integer.MAX_VALUE;       // the most rows one load holds (file format, uncompressed batches)
    private BatchSlicer slicer;                       // the current batch's, when it is read in slices
    private long sliceEnd;                            // the current batch's rows loaded so far (file format)

    /** Opens the file's bytes for reading, once per call (the stream format is read twice to count rows). */
    @FunctionalInterface
    public interface ChannelSource {
        SeekableByteChannel open() throws IOException;
    }

    private TensorFileReader(String file, ChannelSource source, BufferAllocator allocator, ArrowReader reader,
                             SeekableByteChannel channel, boolean streamFormat, List<ArrowBlock> blocks, long[] batchFirstRows,
                             boolean[] batchCompressed, IpcStructure.StreamSummary streamSummary, String column, int[] shape)
            throws IOException {
        this.file = file;
        this.source = source;
        this.allocator = allocator;
        this.reader = reader;
        this.streamFormat = streamFormat;
        this.blocks = blocks;
        this.batchFirstRows = batchFirstRows;
        this.batchCompressed = batchCompressed;
        this.streamSummary = streamSummary;
        this.root = reader.getVectorSchemaRoot();
        this.blockChannel = streamFormat ? null : new SeekableReadChannel(channel);
        this.loader = new VectorLoader(root, CommonsCompressionFactory.INSTANCE);
        this.column = column;
        this.columnIndex = indexOf(root.getSchema(), column);
        this.tensorType = resolveType(root.getSchema().getFields().get(columnIndex), shape);
    }

    /** Opens {@code file} with its tensor column named {@value #DEFAULT_COLUMN}. */
    public static TensorFileReader open(Path file, BufferAllocator allocator) {
        return open(file, allocator, DEFAULT_COLUMN, null);
    }

    /**
     * Opens {@code file}, checks its schema and locates the tensor column.
     *
     * @param allocator parent of the child allocator the reader creates (and closes)
     * @param column    the tensor column's name
     * @param shape     the per-row shape for a plain list column (for FixedSizeList, null means {@code [size]});
     *                  if the column is {@code arrow.fixed_shape_tensor} a non-null shape must equal the file's
     * @throws TensorFormatException if the file is not Arrow IPC, the column is missing or not a float32 tensor,
     *                               or the shape does not fit; the message names the file
     */
    public static TensorFileReader open(Path file, BufferAllocator allocator, String column, int[] shape) {
        return open(file.toString(), () -> FileChannel.open(file, StandardOpenOption.READ), allocator, column, shape);
    }

    /** Opens {@code file} through the storage seam (any Hadoop scheme); as {@link #open(Path, BufferAllocator, String, int[])}. */
    public static TensorFileReader open(Storage storage, org.apache.hadoop.fs.Path file, BufferAllocator allocator,
                                        String column, int[] shape) {
        return open(file.toString(), () -> storage.openChannel(file), allocator, column, shape);
    }

    /**
     * Opens a tensor file from any source of bytes.
     *
     * @param file the name messages give it
     */
    public static TensorFileReader open(String file, ChannelSource source, BufferAllocator allocator, String column, int[] shape) {
        FixedShapeTensorType.ensureRegistered();
        BufferAllocator child = allocator.newChildAllocator("TensorFileReader:" + file, 0, allocator.getLimit());
        SeekableByteChannel channel = null;
        ArrowReader reader = null;
        try {
            channel = source.open();
            boolean stream = !startsWithMagic(channel);
            List<ArrowBlock> blocks = null;
            long[] firstRows = null;
            boolean[] compressed = null;
            IpcStructure.StreamSummary summary = null;
            if (stream) {
                summary = checkedStream(channel);
                channel.position(0);
                reader = new CheckedStreamReader(channel, child);
            } else {
                IpcStructure.checkFooterSchema(channel);
                channel.position(0);
                ArrowFileReader fileReader = new ArrowFileReader(channel, child, CommonsCompressionFactory.INSTANCE);
                reader = fileReader;
                blocks = fileReader.getRecordBlocks();
                IpcStructure.FileBatches batches = checkedBlocks(source, blocks);
                compressed = batches.compressed();
                firstRows = new long[blocks.size() + 1];
                for (int i = 0; i < blocks.size(); i++) firstRows[i + 1] = firstRows[i] + batches.rows()[i];
            }
            return new TensorFileReader(file, source, child, reader, channel, stream, blocks, firstRows, compressed, summary,
                    column, shape);
        } catch (NoSuchFileException | java.io.FileNotFoundException e) {
            closeQuietly(reader, channel, child);
            throw new TensorFormatException(file + ": no such file");
        } catch (InputException e) {
            closeQuietly(reader, channel, child);
            if (e instanceof TensorFormatException t && !t.getMessage().startsWith(file + ": ")) {
                throw new TensorFormatException(file + ": " + t.getMessage(), t);
            }
            if (e.getMessage().endsWith("no such file or directory")) throw new TensorFormatException(file + ": no such file", e);
            throw e;
        } catch (IOException | RuntimeException e) {
            closeQuietly(reader, channel, child);
            throw new TensorFormatException(file + ": not a readable Arrow IPC file or stream (" + IpcStructure.describe(e) + ")", e);
        }
    }

    /** The file's name, as messages give it. */
    public String file() { return file; }
    /** True for the IPC stream format (sequential batches only), false for the IPC file format. */
    public boolean isStreamFormat() { return streamFormat; }
    public Schema schema() { return root.getSchema(); }
    public String column() { return column; }
    public int columnIndex() { return columnIndex; }
    /** The per-row tensor type: the file's extension type, or one built from the shape for plain lists. */
    public FixedShapeTensorType tensorType() { return tensorType; }
    /** The per-row shape (a copy). */
    public int[] shape() { return tensorType.shape(); }
    /** product(shape): floats per row. */
    public int elementCount() { return tensorType.elementCount(); }

    /** Record batches in the file, or -1 for the stream format (not known before reading). */
    public int batchCount() { return streamFormat ? -1 : blocks.size(); }

    /** Rows in the whole file (for a stream, from the message headers read when it was opened). */
    public long rowCount() {
        return streamFormat ? streamSummary.rows() : batchFirstRows[blocks.size()];
    }

    /** Rows in the largest record batch (from the metadata read when the file was opened). */
    public long largestBatchRows() {
        if (streamFormat) return streamSummary.largestBatchRows();
        long largest = 0;
        for (int i = 0; i < blocks.size(); i++) largest = Math.max(largest, batchFirstRows[i + 1] - batchFirstRows[i]);
        return largest;
    }

    /**
     * Whether {@link #readInSlices} can bound every load: true for the IPC file format without compressed record
     * batches. A compressed buffer cannot be cut without decompressing it whole, and a stream is read message by message.
     */
    public boolean canReadInSlices() {
        if (streamFormat) return false;
        for (boolean c : batchCompressed) if (c) return false;
        return true;
    }

    /**
     * From now on a load holds at most {@code maxRows} rows: a larger record batch is read a slice of rows at a time
     * (each {@link #loadNextBatch()} or {@link #loadNextSlice()} the next slice), from the byte ranges of its body that
     * hold those rows, so memory follows {@code maxRows}, not the record batch. A batch that cannot be sliced (see
     * {@link #canReadInSlices()}) and is larger fails to load with a message saying so.
     */
    public void readInSlices(int maxRows) {
        if (maxRows < 1) throw new IllegalArgumentException("maxRows must be >= 1, got " + maxRows);
        this.sliceRows = maxRows;
    }

    /**
     * Where it can ({@link #canReadInSlices()}), reads record batches holding more than {@code tensorBytes} of tensor
     * values in slices of at most that much: what the Spark paths use, which plan no record batch sizes.
     */
    public void readInSlicesOf(long tensorBytes) {
        long rowBytes = Math.max(1, (long) elementCount() * Float.BYTES);
        if (canReadInSlices()) readInSlices((int) Math.max(1, Math.min(Integer.MAX_VALUE, tensorBytes / rowBytes)));
    }

    /** Rows in batch {@code index} (file format). */
    public int batchRowCount(int index) {
        requireFileFormat();
        return (int) (batchFirstRows[index + 1] - batchFirstRows[index]);
    }

    /** Loads the next record batch (or the next slice of one, see {@link #readInSlices}) into {@link #root()}; false after the last one. */
    public boolean loadNextBatch() {
        if (!streamFormat) {
            if (loadNextSlice()) return true;
            if (nextBatch >= blocks.size()) return false;
            loadBatch(nextBatch);
            return true;
        }
        try {
            if (!reader.loadNextBatch()) return false;
            if (root.getRowCount() > sliceRows) {
                throw new TensorFormatException("it has " + root.getRowCount() + " rows, more than the " + sliceRows
                        + " one load may hold, and an Arrow stream's record batches are read whole");
            }
            checkLoaded();
        } catch (IOException | RuntimeException e) {
            throw new TensorFormatException(file + ": cannot read record batch " + (currentBatch + 1) + " (" + IpcStructure.describe(e) + ")", e);
        }
        currentBatch++;
        currentFirstRow = streamRowsSeen;
        streamRowsSeen += root.getRowCount();
        return true;
    }

    /**
     * Loads record batch {@code index} (file format only), or its first slice when it has more rows than
     * {@link #readInSlices} allows; the next {@link #loadNextBatch()} continues after it.
     */
    public void loadBatch(int index) {
        requireFileFormat();
        if (index < 0 || index >= blocks.size()) {
            throw new IndexOutOfBoundsException(file + ": batch " + index + " outside [0, " + blocks.size() + ")");
        }
        closeSlicer();
        long rows = batchFirstRows[index + 1] - batchFirstRows[index];
        try {
            if (rows > sliceRows) {
                if (batchCompressed[index]) {
                    throw new TensorFormatException("it has " + rows + " rows, more than the " + sliceRows + " one load may"
                            + " hold, and is compressed: a compressed record batch is read whole");
                }
                slicer = new BatchSlicer(root.getSchema().getFields(), recordBatchOf(blocks.get(index)), allocator);
                loadSlice(blocks.get(index), 0, sliceRows);
            } else {
                readBlock(blocks.get(index));
                checkLoaded();
            }
        } catch (IOException | RuntimeException e) {
            closeSlicer();
            throw new TensorFormatException(file + ": cannot read record batch " + index + " (" + IpcStructure.describe(e) + ")", e);
        }
        currentBatch = index;
        nextBatch = index + 1;
        currentFirstRow = batchFirstRows[index];
        sliceEnd = root.getRowCount();
    }

    /**
     * Loads the next slice of the current record batch when it is read in slices ({@link #readInSlices}); false when
     * the batch is done (or is not sliced). {@link #batchIndex()} stays the record batch's, {@link #batchFirstRow()}
     * moves to the slice's first row.
     */
    public boolean loadNextSlice() {
        if (slicer == null) return false;
        long rows = batchFirstRows[currentBatch + 1] - batchFirstRows[currentBatch];
        if (sliceEnd >= rows) {
            closeSlicer();
            return false;
        }
        long from = sliceEnd;
        try {
            loadSlice(blocks.get(currentBatch), from, Math.min(rows, from + sliceRows));
        } catch (IOException | RuntimeException e) {
            closeSlicer();
            throw new TensorFormatException(file + ": cannot read rows " + from + " to " + Math.min(rows, from + sliceRows)
                    + " of record batch " + currentBatch + " (" + IpcStructure.describe(e) + ")", e);
        }
        currentFirstRow = batchFirstRows[currentBatch] + from;
        sliceEnd = Math.min(rows, from + sliceRows);
        return true;
    }

    /** Reads the rows {@code [from, to)} of a block's body into {@link #root()} through the slicer. */
    private void loadSlice(ArrowBlock block, long from, long to) throws IOException {
        long bodyAt = block.getOffset() + block.getMetadataLength();
        try (ArrowRecordBatch slice = slicer.slice(from, to, (offset, into, at, length) -> {
            blockChannel.setPosition(bodyAt + offset);
            into.writerIndex(at);
            if (blockChannel.readFully(into, length) != length) throw new IOException("unexpected end of file in a record batch");
        })) {
            loader.load(slice);
        }
        checkLoaded();
    }

    /** A block's record batch metadata (a few hundred bytes; its framing was checked when the file was opened). */
    private RecordBatch recordBatchOf(ArrowBlock block) throws IOException {
        ByteBuffer metadata = ByteBuffer.allocate(block.getMetadataLength());
        blockChannel.setPosition(block.getOffset());
        if (blockChannel.readFully(metadata) != block.getMetadataLength()) {
            throw new IOException("unexpected end of file in a record batch");
        }
        metadata.flip();
        int prefix = metadata.order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt(0) == MessageSerializer.IPC_CONTINUATION_TOKEN ? 8 : 4;
        metadata.position(prefix);
        Message message = Message.getRootAsMessage(metadata.slice());
        if (message.headerType() != MessageHeader.RecordBatch) throw new IOException("block is not a record batch");
        return (RecordBatch) message.header(new RecordBatch());
    }

    private void closeSlicer() {
        if (slicer != null) {
            slicer.close();
            slicer = null;
        }
    }

    /** The current batch: every column, reused and refilled by each load; owned by this reader. */
    public VectorSchemaRoot root() { return root; }
    /** Index of the current batch. */
    public int batchIndex() { return currentBatch; }
    /** Rows in the current batch. */
    public int batchRows() { return root.getRowCount(); }
    /** Row index in the file of the current batch's first row. */
    public long batchFirstRow() { return currentFirstRow; }

    /** The current batch's tensor column as read: a FixedShapeTensorVector, FixedSizeListVector or ListVector. */
    public FieldVector tensorVector() { return root.getVector(columnIndex); }

    /**
     * Copies the current batch's tensors, row-major, into {@code dest[offset .. offset + batchRows() * elementCount())}.
     *
     * @throws TensorFormatException if a row is null, holds a null, or (plain lists) has the wrong length; the
     *                               message names the file and the row's index in the file
     */
    public void copyTensors(float[] dest, int offset) {
        copyTensors(0, batchRows(), dest, offset);
    }

    /** Copies {@code count} tensor rows of the current batch from {@code fromRow}, as {@link #copyTensors(float[], int)}. */
    public void copyTensors(int fromRow, int count, float[] dest, int offset) {
        FieldVector vector = tensorVector();
        String prefix = file + ": column '" + column + "': row ";
        if (vector instanceof FixedShapeTensorVector t) {
            TensorRows.copyFixed(t.getUnderlyingVector(), fromRow, count, dest, offset, r -> prefix + (currentFirstRow + r));
        } else if (vector instanceof FixedSizeListVector f) {
            TensorRows.copyFixed(f, fromRow, count, dest, offset, r -> prefix + (currentFirstRow + r));
        } else {
            TensorRows.copyList((ListVector) vector, fromRow, count, elementCount(), dest, offset, r -> prefix + (currentFirstRow + r));
        }
    }

    /**
     * Reads one record batch (metadata and body) into the reused buffer and loads {@link #root()} from it: what
     * {@code ArrowFileReader.loadRecordBatch} does, without a fresh buffer per batch. Compressed buffers are
     * decompressed into buffers of their own by the loader.
     */
    private void readBlock(ArrowBlock block) throws IOException {
        int metadataLength = block.getMetadataLength();
        long bodyLength = block.getBodyLength();
        long total = metadataLength + bodyLength;
        if (metadataLength <= 8 || bodyLength < 0 || block.getOffset() < 0 || block.getOffset() + total > blockChannel.size()) {
            throw new IOException("record batch block (offset " + block.getOffset() + ", " + total + " bytes) lies outside the file");
        }
        if (batchBuffer == null || batchBuffer.capacity() < total) {
            if (batchBuffer != null) batchBuffer.close(); // vectors still holding views keep it alive until reloaded
            batchBuffer = allocator.buffer(total);
        }
        batchBuffer.writerIndex(0);
        blockChannel.setPosition(block.getOffset());
        if (blockChannel.readFully(batchBuffer, total) != total) throw new IOException("unexpected end of file in a record batch");
        int prefix = batchBuffer.getInt(0) == MessageSerializer.IPC_CONTINUATION_TOKEN ? 8 : 4;
        Message message = Message.getRootAsMessage(batchBuffer.nioBuffer(prefix, metadataLength - prefix));
        if (message.headerType() != MessageHeader.RecordBatch) throw new IOException("block is not a record batch");
        ArrowBuf body = batchBuffer.slice(metadataLength, bodyLength);
        body.getReferenceManager().retain(); // deserializeRecordBatch releases the body it is given; batchBuffer keeps ours
        try (ArrowRecordBatch batch = MessageSerializer.deserializeRecordBatch(message, body);
             ArrowRecordBatch plain = CompressedBatches.decompress(batch, root.getSchema().getFields(), allocator)) {
            loader.load(plain);
        }
    }

    @Override
    public void close() {
        try {
            reader.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            try {
                closeSlicer();
                if (batchBuffer != null) batchBuffer.close();
            } finally {
                allocator.close();
            }
        }
    }

    /**
     * A loaded batch's buffers must hold what its row counts claim (Arrow's loader does not check): every column's
     * buffers, and the tensor column's elements, {@code rows * elementCount} of them. Otherwise a bit flip in a row
     * count would read past a buffer.
     */
    private void checkLoaded() {
        ValueVectorUtility.validate(root);
        FieldVector tensors = tensorVector() instanceof FixedShapeTensorVector t ? t.getUnderlyingVector() : tensorVector();
        if (tensors instanceof FixedSizeListVector list) {
            long needed = (long) list.getValueCount() * list.getListSize();
            if (list.getDataVector().getValueCount() < needed) {
                throw new TensorFormatException("column '" + column + "' has " + list.getValueCount() + " rows of "
                        + list.getListSize() + " values but holds " + list.getDataVector().getValueCount() + " values");
            }
        } else if (tensors instanceof ListVector list) {
            ValueVectorUtility.validateFull(list);
        }
    }

    private void requireFileFormat() {
        if (streamFormat) throw new UnsupportedOperationException(file + ": random access needs the IPC file format, this is a stream");
    }

    private int indexOf(Schema schema, String name) {
        List<Field> fields = schema.getFields();
        for (int i = 0; i < fields.size(); i++) if (fields.get(i).getName().equals(name)) return i;
        String names = fields.stream().map(Field::getName).collect(Collectors.joining(", "));
        throw new TensorFormatException(file + ": no column '" + name + "' (columns: " + names + ")");
    }

    private FixedShapeTensorType resolveType(Field field, int[] shape) {
        String where = file + ": column '" + field.getName() + "'";
        ArrowType type = field.getType();
        if (type instanceof FixedShapeTensorType t) {
            if (shape != null && !Arrays.equals(shape, t.shape())) {
                throw new TensorFormatException(where + ": shape " + Arrays.toString(t.shape()) + " differs from the expected " + Arrays.toString(shape));
            }
            requireRowMajor(where, t);
            requireFloat32(where, field);
            return t;
        }
        if (type instanceof ArrowType.FixedSizeList list) {
            requireFloat32(where, field);
            FixedShapeTensorType t = shape != null ? new FixedShapeTensorType(shape) : fromFieldMetadata(field, list.getListSize());
            requireRowMajor(where, t);
            if (t.elementCount() != list.getListSize()) {
                throw new TensorFormatException(where + ": shape " + Arrays.toString(t.shape()) + " has " + t.elementCount()
                        + " elements but the list size is " + list.getListSize());
            }
            return t;
        }
        if (type instanceof ArrowType.List) {
            requireFloat32(where, field);
            if (shape == null) throw new TensorFormatException(where + ": a variable-size list needs a shape");
            return new FixedShapeTensorType(shape);
        }
        throw new TensorFormatException(where + ": must be " + FixedShapeTensorType.NAME
                + " or a list of float32, got " + type);
    }

    /** A plain FixedSizeList may still carry the extension's metadata (read with the type unregistered). */
    private static FixedShapeTensorType fromFieldMetadata(Field field, int listSize) {
        Map<String, String> metadata = field.getMetadata();
        if (FixedShapeTensorType.NAME.equals(metadata.get(ArrowType.ExtensionType.EXTENSION_METADATA_KEY_NAME))) {
            return FixedShapeTensorType.parse(metadata.get(ArrowType.ExtensionType.EXTENSION_METADATA_KEY_METADATA));
        }
        return new FixedShapeTensorType(new int[] {listSize});
    }

    private static void requireRowMajor(String where, FixedShapeTensorType t) {
        if (!t.isRowMajor()) {
            throw new TensorFormatException(where + ": permutation " + Arrays.toString(t.permutation())
                    + " is not supported (tensors must be stored row-major)");
        }
    }

    private static void requireFloat32(String where, Field field) {
        List<Field> children = field.getChildren();
        ArrowType element = children.size() == 1 ? children.get(0).getType() : null;
        if (!FixedShapeTensorType.FLOAT32.equals(element)) {
            throw new TensorFormatException(where + ": elements must be float32, got " + element);
        }
    }

    private static boolean startsWithMagic(SeekableByteChannel channel) throws IOException {
        ByteBuffer head = ByteBuffer.allocate(FILE_MAGIC.length);
        while (head.hasRemaining() && channel.read(head) > 0) { }
        channel.position(0);
        return Arrays.equals(head.array(), FILE_MAGIC) && !head.hasRemaining();
    }

    /**
     * Row counts from each record batch's header (a few bytes each), without reading the bodies; every block's
     * framing is checked against the file first (see {@link IpcStructure}).
     */
    private static IpcStructure.FileBatches checkedBlocks(ChannelSource source, List<ArrowBlock> blocks) throws IOException {
        try (SeekableByteChannel channel = source.open()) {
            return IpcStructure.checkFileBlocks(channel, blocks);
        }
    }

    /**
     * A stream's row count from its message headers, after checking its framing. A stream has no footer, so one cut
     * at a batch boundary would read as a shorter valid stream: without its end-of-stream marker it is refused,
     * with the rows it holds, rather than silently losing the rest.
     */
    private static IpcStructure.StreamSummary checkedStream(SeekableByteChannel channel) throws IOException {
        IpcStructure.StreamSummary summary = IpcStructure.scanStream(channel);
        if (!summary.endMarker()) {
            throw new TensorFormatException("the Arrow stream ends after " + summary.rows() + " rows in " + summary.batches()
                    + " record batches without its end-of-stream marker: it was cut short, or its writer was never closed,"
                    + " so rows may be missing (write it again and close the writer, or use the Arrow IPC file format)");
        }
        return summary;
    }

    /**
     * Arrow's stream reader, with compressed batches (and dictionary batches) decompressed by {@link CompressedBatches},
     * which checks each buffer's declared size first, instead of by Arrow's loader, which trusts it.
     */
    private static final class CheckedStreamReader extends ArrowStreamReader {
        CheckedStreamReader(SeekableByteChannel channel, BufferAllocator allocator) {
            super(channel, allocator, CommonsCompressionFactory.INSTANCE);
        }

        @Override
        protected void loadRecordBatch(ArrowRecordBatch batch) {
            ArrowRecordBatch plain;
            try {
                plain = CompressedBatches.decompress(batch, getVectorSchemaRoot().getSchema().getFields(), allocator);
            } catch (IOException | RuntimeException e) {
                batch.close();
                throw e instanceof RuntimeException r ? r : new UncheckedIOException((IOException) e);
            }
            if (plain != batch) batch.close();
            super.loadRecordBatch(plain); // closes it
        }

        @Override
        protected void loadDictionary(ArrowDictionaryBatch batch) {
            Dictionary dictionary = dictionaries.get(batch.getDictionaryId());
            if (dictionary == null) { // Arrow refuses it without releasing it
                batch.close();
                throw new TensorFormatException("a dictionary batch for dictionary " + batch.getDictionaryId()
                        + ", which no column uses");
            }
            ArrowRecordBatch plain;
            try {
                plain = CompressedBatches.decompress(batch.getDictionary(), List.of(dictionary.getVector().getField()), allocator);
            } catch (RuntimeException e) {
                batch.close();
                throw e;
            }
            if (plain == batch.getDictionary()) {
                super.loadDictionary(batch);
                return;
            }
            batch.close();
            super.loadDictionary(new ArrowDictionaryBatch(batch.getDictionaryId(), plain, batch.isDelta()));
        }
    }

    private static void closeQuietly(ArrowReader reader, SeekableByteChannel channel, BufferAllocator allocator) {
        try {
            if (reader != null) reader.close();
            else if (channel != null) channel.close();
        } catch (IOException | RuntimeException ignored) {
            // already failing with a clearer message
        }
        try {
            allocator.close();
        } catch (RuntimeException ignored) {
            // a leak here is secondary to the reported error
        }
    }
}
