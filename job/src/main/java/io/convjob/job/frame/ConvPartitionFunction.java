package io.convjob.job.frame;

import io.convjob.Model;
import io.convjob.Tensor;
import io.convjob.job.model.ModelCache;
import io.convjob.job.model.ModelPayload;
import io.convjob.spark.TensorArrays;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.BoundReference;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeProjection;
import org.apache.spark.sql.catalyst.expressions.UnsafeRow;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import scala.jdk.javaapi.CollectionConverters;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Runs the model over a partition of Spark's internal rows in batches: copies up to {@code batchSize} tensors into
 * one float buffer (one bulk copy each, see {@link TensorValues}), runs {@link Model#run} once, then hands out the
 * rows with the result as an unsafe array refilled in place. The other columns a row keeps are copied once, as one
 * unsafe row, since Spark reuses the input row objects. The batch buffers are sized once for {@code batchSize} rows and
 * lent from task to task by the executor thread ({@link BatchBuffers}); the model comes from the JVM's
 * {@link ModelCache}, built once per broadcast.
 */
public final class ConvPartitionFunction implements FlatMapFunction<Iterator<InternalRow>, InternalRow> {

    /**
     * Test-only: when true (in the context's conf, or a local property of the thread that starts the job), the first
     * attempt of partition 0's task fails after writing its first batch.
     */
    public static final String FAIL_FIRST_ATTEMPT = "spark.convjob.test.failFirstAttempt";

    private final Broadcast<ModelPayload> model;
    private final String applicationId;
    private final StructType inputSchema;
    private final int[] inputShape;
    private final int[] outputShape;
    private final TensorLayout layout;
    private final int batchSize;
    private final int threads;
    private final JobCounters counters;
    private final boolean failFirstAttempt;

    /**
     * @param applicationId    the application, with the broadcast id the key of the executor's model cache
     * @param inputSchema      the schema of the rows read
     * @param counters         accumulators to count into, or null
     * @param failFirstAttempt fault injection for tests, see {@link #FAIL_FIRST_ATTEMPT}
     */
    public ConvPartitionFunction(Broadcast<ModelPayload> model, String applicationId, StructType inputSchema, int[] inputShape,
            int[] outputShape, TensorLayout layout, int batchSize, int threads, JobCounters counters, boolean failFirstAttempt) {
        if (batchSize < 1) throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        this.model = model;
        this.applicationId = applicationId;
        this.inputSchema = inputSchema;
        this.inputShape = inputShape.clone();
        this.outputShape = outputShape.clone();
        this.layout = layout;
        this.batchSize = batchSize;
        this.threads = threads;
        this.counters = counters;
        this.failFirstAttempt = failFirstAttempt;
    }

    @Override
    public Iterator<InternalRow> call(Iterator<InternalRow> input) {
        Model built = ModelCache.of(applicationId, model);
        TaskContext task = TaskContext.get();
        boolean inject = failFirstAttempt && task != null && task.partitionId() == 0 && task.attemptNumber() == 0;
        return new Batches(built, input, inject);
    }

    /** Input ordinals of the columns a row keeps besides the result: the tensor too, unless the result replaces it. */
    private int[] keptOrdinals() {
        return java.util.stream.IntStream.range(0, layout.keptColumns())
                .filter(i -> !(layout.replace() && i == layout.tensorIndex())).toArray();
    }

    private final class Batches implements Iterator<InternalRow> {
        private final Model model;
        private final Iterator<InternalRow> input;
        private final int inElements = Math.toIntExact(Tensor.elementCount(inputShape));
        private final int outElements = Math.toIntExact(Tensor.elementCount(outputShape));
        private final boolean mayHoldNulls;
        private BatchBuffers buffers;
        private final float[] x;
        private final float[] y;
        private final UnsafeRow[] kept;
        private final UnsafeProjection keep;
        private final DataType[] keptTypes;
        private final TensorArrays.Cell result;
        private final GenericInternalRow out;
        private int count;
        private int next;
        private long position;
        private int batchesDone;
        private boolean failAfterFirstBatch;

        Batches(Model model, Iterator<InternalRow> input, boolean failAfterFirstBatch) {
            this.model = model;
            this.input = input;
            this.failAfterFirstBatch = failAfterFirstBatch;
            this.mayHoldNulls = ((ArrayType) inputSchema.fields()[layout.tensorIndex()].dataType()).containsNull();
            this.buffers = BatchBuffers.borrow(Math.multiplyExact(batchSize, inElements), Math.multiplyExact(batchSize, outElements));
            this.x = buffers.x;
            this.y = buffers.y;
            this.kept = new UnsafeRow[batchSize];
            int[] ordinals = keptOrdinals();
            this.keptTypes = new DataType[ordinals.length];
            List<Expression> columns = new ArrayList<>();
            for (int k = 0; k < ordinals.length; k++) {
                StructField f = inputSchema.fields()[ordinals[k]];
                keptTypes[k] = f.dataType();
                columns.add(new BoundReference(ordinals[k], f.dataType(), f.nullable()));
            }
            this.keep = UnsafeProjection.create(CollectionConverters.asScala(columns).toList());
            this.result = new TensorArrays.Cell(outElements);
            this.out = new GenericInternalRow(layout.outputWidth());
        }

        @Override
        public boolean hasNext() {
            if (next < count) return true;
            if (failAfterFirstBatch && batchesDone > 0) {
                failAfterFirstBatch = false;
                throw new IllegalStateException("injected failure (" + FAIL_FIRST_ATTEMPT + ") after the first batch");
            }
            fill();
            return next < count;
        }

        /** The next row; valid until the following call (Spark's iterator contract: consumers copy what they keep). */
        @Override
        public InternalRow next() {
            if (!hasNext()) throw new NoSuchElementException();
            UnsafeRow row = kept[next];
            int resultAt = layout.replace() ? layout.tensorIndex() : layout.keptColumns();
            for (int i = 0, k = 0; i < layout.outputWidth(); i++) {
                if (i == resultAt) continue;
                out.update(i, row.isNullAt(k) ? null : row.get(k, keptTypes[k]));
                k++;
            }
            out.update(resultAt, result.fill(y, next * outElements));
            kept[next++] = null;
            return out;
        }

        private void fill() {
            count = 0;
            next = 0;
            int tensor = layout.tensorIndex();
            while (count < batchSize && input.hasNext()) {
                InternalRow row = input.next();
                String bad = row.isNullAt(tensor) ? "is null"
                        : TensorValues.copy(row.getArray(tensor), inElements, inputShape, mayHoldNulls, x, count * inElements);
                if (bad != null) throw new BadRowException(describe(row) + ": column '" + layout.columnName() + "' " + bad);
                kept[count++] = keep.apply(row).copy();
                position++;
            }
            if (count == 0) { // the partition is done: its buffers go to the thread's next one
                if (buffers != null) buffers.giveBack();
                buffers = null;
                return;
            }
            try {
                model.run(x, inputShape, count, y, threads);
            } catch (OutOfMemoryError e) { // fail the job with the fix, not the executor
                throw TaskMemory.outOfMemory(e, batchSize, inputShape);
            }
            batchesDone++;
            if (counters != null) {
                counters.add(count, (long) count * inElements * Float.BYTES, (long) count * outElements * Float.BYTES);
            }
        }

        private String describe(InternalRow row) {
            int fileIndex = layout.fileIndex();
            String file = fileIndex >= 0 && !row.isNullAt(fileIndex) ? row.getUTF8String(fileIndex).toString() : "";
            if (file.isEmpty()) file = layout.source();
            int idIndex = layout.idIndex();
            String id = idIndex >= 0 ? "id " + row.get(idIndex, inputSchema.fields()[idIndex].dataType())
                    : "row " + position + " of its partition";
            return file + ": " + id;
        }
    }
}
