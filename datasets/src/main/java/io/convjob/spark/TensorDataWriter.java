package io.convjob.spark;

import io.convjob.arrow.ArrowMemoryPool;
import io.convjob.arrow.FixedShapeTensorType;
import io.convjob.arrow.FixedShapeTensorVector;
import io.convjob.arrow.TensorFileWriter;
import io.convjob.error.InputException;
import org.apache.hadoop.fs.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.sql.execution.arrow.ArrowWriter;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructField;

/**
 * One task attempt: rows to Arrow record batches in {@code _temporary/<queryId>/part-<partition>-<taskId>.arrow}.
 * Ordinary columns go through Spark's own ArrowWriter; the tensor column is checked (length = product(shape))
 * and copied row by row, in bulk. {@link #commit()} finishes the file and names it in the message; {@link #abort()}
 * deletes it.
 */
final class TensorDataWriter implements AutoCloseable {
    private final TensorWriteJob job;
    private final int partitionId;
    private final long taskId;
    private final Path file;
    private final ArrowMemoryPool.Lease memory;
    private final BufferAllocator allocator;
    private final TensorFileWriter writer;
    private final int tensorIndex;
    private final boolean tensorNullable;
    private final boolean elementsMayBeNull;
    private final int elementCount;
    private final int[] otherOrdinals;
    private final DataType[] otherTypes;
    private final GenericInternalRow otherValues;
    private final ArrowWriter otherWriter;
    private final float[] rowValues;
    private int rowsInBatch;
    private long rows;

    TensorDataWriter(TensorWriteJob job, int partitionId, long taskId) {
        this.job = job;
        this.partitionId = partitionId;
        this.taskId = taskId;
        this.file = job.committer().taskFile(partitionId, taskId);
        FixedShapeTensorType type = job.type();
        this.elementCount = type.elementCount();
        this.rowValues = new float[elementCount];
        StructField[] fields = job.schema().fields();
        this.tensorIndex = TensorSchemas.tensorIndex(job.schema(), job.column());
        this.tensorNullable = fields[tensorIndex].nullable();
        this.elementsMayBeNull = ((ArrayType) fields[tensorIndex].dataType()).containsNull();
        // the executor's pooled Arrow memory: the next task's writer reuses this one's buffers
        this.memory = ArrowMemoryPool.shared().lease();
        this.allocator = memory.newChildAllocator("arrow-tensor write " + file.getName());
        try {
            this.writer = TensorFileWriter.create(job.storage().createAtomic(file), TensorSchemas.toArrow(job.schema(), job.column(), type, job.timeZoneId()),
                    job.column(), allocator, job.compression());
        } catch (RuntimeException | Error e) {
            allocator.close();
            memory.close();
            throw e;
        }
        this.otherOrdinals = new int[fields.length - 1];
        this.otherTypes = new DataType[fields.length - 1];
        List<FieldVector> otherVectors = new ArrayList<>();
        for (int i = 0, j = 0; i < fields.length; i++) {
            if (i == tensorIndex) continue;
            otherOrdinals[j] = i;
            otherTypes[j++] = fields[i].dataType();
            otherVectors.add(writer.root().getVector(i));
        }
        this.otherValues = new GenericInternalRow(otherOrdinals.length);
        // a view over the writer's own vectors, so Spark's converters fill them in place
        this.otherWriter = ArrowWriter.create(new VectorSchemaRoot(otherVectors));
    }

    public void write(InternalRow row) {
        for (int j = 0; j < otherOrdinals.length; j++) {
            otherValues.update(j, row.isNullAt(otherOrdinals[j]) ? null : row.get(otherOrdinals[j], otherTypes[j]));
        }
        otherWriter.write(otherValues);
        FixedShapeTensorVector tensors = writer.tensorVector();
        if (row.isNullAt(tensorIndex)) {
            if (!tensorNullable) throw badRow("is null");
            tensors.setNull(rowsInBatch);
        } else {
            ArrayData array = row.getArray(tensorIndex);
            if (array.numElements() != elementCount) {
                throw badRow("has " + array.numElements() + " values, expected " + elementCount
                        + " (shape " + Arrays.toString(job.type().shape()) + ")");
            }
            if (elementsMayBeNull) {
                int k = TensorArrays.firstNull(array);
                if (k >= 0) throw badRow("has a null element at index " + k);
            }
            // the whole batch at once: no chain of doublings, each copying and zeroing fresh memory
            if (rowsInBatch == 0) writer.reserveTensorRows(job.rowsPerBatch());
            TensorArrays.copy(array, rowValues, 0);
            tensors.writeRow(rowsInBatch, rowValues, 0);
        }
        rowsInBatch++;
        rows++;
        if (rowsInBatch == job.rowsPerBatch()) flush();
    }

    private InputException badRow(String what) {
        return new InputException("arrow-tensor write to " + job.directory() + ": partition " + partitionId + " row " + rows
                + ": column '" + job.column() + "' " + what);
    }

    private void flush() {
        if (rowsInBatch == 0) return;
        otherWriter.finish();
        writer.writeRoot(rowsInBatch);
        otherWriter.reset();
        rowsInBatch = 0;
    }

    public TensorCommitMessage commit() {
        flush();
        writer.commit();
        return new TensorCommitMessage(partitionId, taskId, file.toString(), rows);
    }

    public void abort() {
        writer.abort(); // drops the attempt's file
    }

    @Override
    public void close() {
        writer.close(); // aborts unless committed
        allocator.close();
        memory.close();
    }
}
