package io.convjob.arrow;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import io.convjob.storage.FileOutput;
import io.convjob.storage.Storage;
import org.apache.arrow.compression.CommonsCompressionFactory;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.compression.NoCompressionCodec;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
import org.apache.arrow.vector.ipc.message.IpcOption;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Writes a tensor dataset file in the Arrow IPC file format, one record batch per {@code write*} call.
 *
 * <p>The file goes to a {@link FileOutput} (any Hadoop scheme): {@link #commit()} makes it visible whole under its
 * name; {@link #abort()} (and {@link #close()} without a commit) drops it, so the target never holds a partial
 * file. Record batches are written uncompressed or LZ4_FRAME / ZSTD compressed ({@link TensorCompression}). The
 * writer owns a child allocator and its {@link #root()}, whose buffers serve every batch. Not thread-safe.
 */
public final class TensorFileWriter implements AutoCloseable {
    private final FileOutput output;
    private final BufferAllocator allocator;
    private final VectorSchemaRoot root;
    private final WriteBehindChannel channel;
    private final ArrowFileWriter writer;
    private final int columnIndex;
    private final FixedShapeTensorType tensorType;
    private final TensorCompression compression;
    private long rowsWritten;
    private int batchesWritten;
    private boolean finished;

    private TensorFileWriter(FileOutput output, Schema schema, int columnIndex, BufferAllocator parent,
                             TensorCompression compression) throws IOException {
        this.output = output;
        this.compression = compression;
        this.allocator = parent.newChildAllocator("TensorFileWriter:" + output.name(), 0, parent.getLimit());
        VectorSchemaRoot createdRoot = null;
        // the disk takes batch b while the caller computes batch b + 1
        this.channel = new WriteBehindChannel(output.channel(), output.name(), allocator);
        try {
            createdRoot = VectorSchemaRoot.create(schema, allocator);
            this.writer = new ArrowFileWriter(createdRoot, null, channel, null, IpcOption.DEFAULT,
                    compression == TensorCompression.NONE ? NoCompressionCodec.Factory.INSTANCE : CommonsCompressionFactory.INSTANCE,
                    compression.codec());
            this.writer.start();
        } catch (IOException | RuntimeException e) {
            channel.abandon();
            output.abort();
            if (createdRoot != null) createdRoot.close();
            allocator.close();
            throw e;
        }
        this.root = createdRoot;
        this.columnIndex = columnIndex;
        this.tensorType = (FixedShapeTensorType) schema.getFields().get(columnIndex).getType();
    }

    /**
     * A writer whose schema is {@code source}'s with the tensor column {@code column} given the new per-row
     * {@code shape} (see {@link #outputSchema}).
     */
    public static TensorFileWriter create(Path target, Schema source, String column, int[] shape, BufferAllocator allocator) {
        return create(target, outputSchema(source, column, shape), column, allocator);
    }

    /**
     * A writer for {@code schema}, whose column {@code column} must be {@link FixedShapeTensorType}.
     *
     * @param allocator parent of the child allocator the writer creates (and closes)
     */
    public static TensorFileWriter create(Path target, Schema schema, String column, BufferAllocator allocator) {
        Storage local = Storage.standard();
        return create(local.createAtomic(Storage.local(target)), schema, column, allocator);
    }

    /** A writer to {@code output} (see {@link Storage#createAtomic}); the writer commits or aborts it. */
    public static TensorFileWriter create(FileOutput output, Schema schema, String column, BufferAllocator allocator) {
        return create(output, schema, column, allocator, TensorCompression.NONE);
    }

    /** As {@link #create(FileOutput, Schema, String, BufferAllocator)}, record batches compressed by {@code compression}. */
    public static TensorFileWriter create(FileOutput output, Schema schema, String column, BufferAllocator allocator,
                                          TensorCompression compression) {
        FixedShapeTensorType.ensureRegistered();
        int index;
        try {
            index = indexOf(schema, column);
        } catch (IllegalArgumentException e) {
            output.abort();
            throw e;
        }
        if (!(schema.getFields().get(index).getType() instanceof FixedShapeTensorType)) {
            output.abort();
            throw new IllegalArgumentException("column '" + column + "' must be " + FixedShapeTensorType.NAME + ", got "
                    + schema.getFields().get(index).getType());
        }
        try {
            return new TensorFileWriter(output, schema, index, allocator, compression);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + output.name(), e);
        }
    }

    /**
     * {@code source} with column {@code column} replaced by an {@code arrow.fixed_shape_tensor} float32 field of
     * {@code shape} (same name and nullability; dim_names kept when the rank is unchanged); every other field
     * and the schema metadata unchanged.
     */
    public static Schema outputSchema(Schema source, String column, int[] shape) {
        int index = indexOf(source, column);
        List<Field> fields = new ArrayList<>(source.getFields());
        Field old = fields.get(index);
        FixedShapeTensorType type = old.getType() instanceof FixedShapeTensorType t ? t.withShape(shape) : new FixedShapeTensorType(shape);
        fields.set(index, type.toField(column, old.isNullable()));
        return new Schema(fields, source.getCustomMetadata());
    }

    /** The two-column schema of generated datasets: {@code id} int64 and {@code tensor} of {@code shape}. */
    public static Schema idTensorSchema(int[] shape) {
        return new Schema(List.of(
                new Field("id", FieldType.nullable(new ArrowType.Int(64, true)), null),
                new FixedShapeTensorType(shape).toField(TensorFileReader.DEFAULT_COLUMN, true)));
    }

    /**
     * Writes a whole file of {@code ids.length} rows ({@code id}, {@code tensor}), {@code rowsPerBatch} rows per
     * record batch; {@code data} holds the tensors row-major, {@code ids.length * product(shape)} floats.
     */
    public static void writeFile(Path target, long[] ids, float[] data, int[] shape, int rowsPerBatch, BufferAllocator allocator) {
        writeFile(Storage.standard().createAtomic(Storage.local(target)), ids, data, shape, rowsPerBatch, allocator);
    }

    /** {@link #writeFile(Path, long[], float[], int[], int, BufferAllocator)} to any output of the storage seam. */
    public static void writeFile(FileOutput target, long[] ids, float[] data, int[] shape, int rowsPerBatch, BufferAllocator allocator) {
        writeFile(target, ids, data, shape, rowsPerBatch, allocator, TensorCompression.NONE);
    }

    /** {@link #writeFile(FileOutput, long[], float[], int[], int, BufferAllocator)}, record batches compressed. */
    public static void writeFile(FileOutput target, long[] ids, float[] data, int[] shape, int rowsPerBatch, BufferAllocator allocator,
                                 TensorCompression compression) {
        if (rowsPerBatch <= 0) {
            target.abort();
            throw new IllegalArgumentException("rowsPerBatch must be > 0, got " + rowsPerBatch);
        }
        try (TensorFileWriter w = create(target, idTensorSchema(shape), TensorFileReader.DEFAULT_COLUMN, allocator, compression)) {
            int n = w.elementCount();
            if ((long) ids.length * n != data.length) {
                throw new IllegalArgumentException(ids.length + " ids of shape " + Arrays.toString(shape)
                        + " need " + (long) ids.length * n + " floats, got " + data.length);
            }
            BigIntVector idVector = (BigIntVector) w.root().getVector("id");
            for (int from = 0; from < ids.length; from += rowsPerBatch) {
                int rows = Math.min(rowsPerBatch, ids.length - from);
                for (int r = 0; r < rows; r++) idVector.setSafe(r, ids[from + r]);
                w.tensorVector().writeRows(0, rows, data, from * n);
                w.writeRoot(rows);
            }
            w.commit();
        }
    }

    /** The target's name. */
    public String target() { return output.name(); }
    public Schema schema() { return root.getSchema(); }
    /** The output tensor type (shape of one output row). */
    public FixedShapeTensorType tensorType() { return tensorType; }
    public int elementCount() { return tensorType.elementCount(); }
    public long rowsWritten() { return rowsWritten; }
    public int batchesWritten() { return batchesWritten; }
    public TensorCompression compression() { return compression; }

    /** The batch being built, for callers that fill columns themselves before {@link #writeRoot(int)}. */
    public VectorSchemaRoot root() { return root; }

    /** The tensor column of {@link #root()}. */
    public FixedShapeTensorVector tensorVector() { return (FixedShapeTensorVector) root.getVector(columnIndex); }

    /**
     * Writes one batch: every non-tensor column copied from {@code source} by name (values and nulls unchanged),
     * and {@code source.getRowCount()} tensor rows from {@code tensors[offset ..]}, row-major.
     */
    public void writeBatch(VectorSchemaRoot source, float[] tensors, int offset) {
        tensorVector().writeRows(0, source.getRowCount(), tensors, offset);
        writeBatch(source);
    }

    /**
     * Makes room for {@code rows} tensor rows in {@link #tensorVector()} before it is filled chunk by chunk: one
     * allocation for the first batch, none after (the buffers are kept from batch to batch).
     */
    public void reserveTensorRows(int rows) {
        TensorRows.reserveRows(tensorVector().getUnderlyingVector(), 0, rows);
    }

    /**
     * Writes one batch whose {@code source.getRowCount()} tensor rows the caller has written into
     * {@link #tensorVector()}; every other column is copied from {@code source} by name (values and nulls unchanged).
     */
    public void writeBatch(VectorSchemaRoot source) {
        int rows = source.getRowCount();
        List<FieldVector> vectors = root.getFieldVectors();
        for (int c = 0; c < vectors.size(); c++) {
            if (c != columnIndex) copyColumn(source, vectors.get(c), rows);
        }
        writeRoot(rows);
    }

    /** The schema without the tensor column: what {@link #writeBatch(VectorSchemaRoot)} copies from its source. */
    Schema otherColumns() {
        List<Field> fields = new ArrayList<>(root.getSchema().getFields());
        fields.remove(columnIndex);
        return new Schema(fields);
    }

    /** The writer's allocator (closed with the writer). */
    BufferAllocator allocator() { return allocator; }

    /** Copies rows {@code [0, rows)} of every column of {@code target} from {@code source}'s column of the same name. */
    static void copyColumns(VectorSchemaRoot source, VectorSchemaRoot target, int rows) {
        for (FieldVector to : target.getFieldVectors()) copyColumn(source, to, rows);
        target.setRowCount(rows);
    }

    /** Values and nulls of {@code source}'s column named as {@code to}, into {@code to}'s buffers, kept from batch to batch. */
    private static void copyColumn(VectorSchemaRoot source, FieldVector to, int rows) {
        FieldVector from = source.getVector(to.getName());
        if (from == null) throw new IllegalArgumentException("source batch has no column '" + to.getName() + "'");
        to.reset();
        if (to.getValueCapacity() < rows) {
            to.setInitialCapacity(rows);
            to.allocateNew();
        }
        for (int r = 0; r < rows; r++) to.copyFromSafe(r, r, from);
    }

    /** Writes {@link #root()} as filled by the caller as one record batch of {@code rowCount} rows, then clears it. */
    public void writeRoot(int rowCount) {
        requireOpen();
        root.setRowCount(rowCount);
        try {
            writer.writeBatch();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + output.name(), e);
        }
        rowsWritten += rowCount;
        batchesWritten++;
        for (int c = 0; c < root.getFieldVectors().size(); c++) {
            if (c == columnIndex) clearTensorVector();
            else root.getVector(c).reset();
        }
        root.setRowCount(0);
    }

    /** Finishes the file and renames it onto the target atomically. */
    public void commit() {
        requireOpen();
        finished = true;
        try {
            writer.end();
            channel.finish();
            output.commit();
        } catch (IOException e) {
            channel.abandon();
            output.abort();
            throw new UncheckedIOException("cannot commit " + output.name(), e);
        } catch (RuntimeException e) {
            channel.abandon();
            output.abort();
            throw e;
        } finally {
            release();
        }
    }

    /** Deletes the temporary file; the target is left as it was. Safe to call more than once. */
    public void abort() {
        if (finished) return;
        finished = true;
        try {
            channel.abandon();
            output.abort();
        } finally {
            release();
        }
    }

    /** Aborts unless {@link #commit()} ran. */
    @Override
    public void close() {
        abort();
    }

    /** Nulls every tensor row but keeps the data buffer as it is: the next batch overwrites what it uses. */
    private void clearTensorVector() {
        var list = tensorVector().getUnderlyingVector();
        list.getValidityBuffer().setZero(0, list.getValidityBuffer().capacity());
        var child = list.getDataVector();
        child.getValidityBuffer().setZero(0, child.getValidityBuffer().capacity());
        list.setValueCount(0);
    }

    private void requireOpen() {
        if (finished) throw new IllegalStateException(output.name() + ": writer already committed or aborted");
    }

    private void release() {
        root.close();
        allocator.close();
    }

    private static int indexOf(Schema schema, String column) {
        List<Field> fields = schema.getFields();
        for (int i = 0; i < fields.size(); i++) if (fields.get(i).getName().equals(column)) return i;
        throw new IllegalArgumentException("schema has no column '" + column + "': " + schema);
    }
}
