package io.convjob.job.frame;

import io.convjob.Model;
import io.convjob.job.model.ModelCache;
import io.convjob.job.model.ModelPayload;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * Runs the model over a partition in batches: reads up to {@code batchSize} rows into one float buffer, runs
 * {@link Model#run} once, then hands out the rows with the tensor replaced. Buffers are reused across batches;
 * the model comes from the JVM's {@link ModelCache}, built once per broadcast.
 */
public final class ConvPartitionFunction implements MapPartitionsFunction<Row, Row> {

    /** Test-only: when true, the first attempt of partition 0's task fails after writing its first batch. */
    public static final String FAIL_FIRST_ATTEMPT = "spark.convjob.test.failFirstAttempt";

    private final Broadcast<ModelPayload> model;
    private final String applicationId;
    private final int[] inputShape;
    private final int[] outputShape;
    private final TensorLayout layout;
    private final int batchSize;
    private final int threads;
    private final JobCounters counters;
    private final boolean failFirstAttempt;

    /**
     * @param applicationId    the application, with the broadcast id the key of the executor's model cache
     * @param counters         accumulators to count into, or null
     * @param failFirstAttempt fault injection for tests, see {@link #FAIL_FIRST_ATTEMPT}
     */
    /** Rows the batch buffers hold at first; they double up to the batch size as rows come. */
    static final int INITIAL_ROWS = 8;

    public ConvPartitionFunction(Broadcast<ModelPayload> model, String applicationId, int[] inputShape, int[] outputShape,
            TensorLayout layout, int batchSize, int threads, JobCounters counters, boolean failFirstAttempt) {
        if (batchSize < 1) throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        this.model = model;
        this.applicationId = applicationId;
        this.inputShape = inputShape.clone();
        this.outputShape = outputShape.clone();
        this.layout = layout;
        this.batchSize = batchSize;
        this.threads = threads;
        this.counters = counters;
        this.failFirstAttempt = failFirstAttempt;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> input) {
        Model built = ModelCache.of(applicationId, model);
        TaskContext task = TaskContext.get();
        boolean inject = failFirstAttempt && task != null && task.partitionId() == 0 && task.attemptNumber() == 0;
        return new Batches(built, input, inject);
    }

    private final class Batches implements Iterator<Row> {
        private final Model model;
        private final Iterator<Row> input;
        private final int inElements = Math.toIntExact(io.convjob.Tensor.elementCount(inputShape));
        private final int outElements = Math.toIntExact(io.convjob.Tensor.elementCount(outputShape));
        private float[] x;
        private float[] y;
        private Row[] rows;
        private int count;
        private int next;
        private long position;
        private int batchesDone;
        private boolean failAfterFirstBatch;

        Batches(Model model, Iterator<Row> input, boolean failAfterFirstBatch) {
            this.model = model;
            this.input = input;
            this.failAfterFirstBatch = failAfterFirstBatch;
            // sized to the rows that come, up to batchSize: a 2-row partition does not allocate 64 rows
            int first = Math.min(batchSize, INITIAL_ROWS);
            this.x = new float[Math.multiplyExact(first, inElements)];
            this.y = new float[Math.multiplyExact(first, outElements)];
            this.rows = new Row[first];
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

        @Override
        public Row next() {
            if (!hasNext()) throw new NoSuchElementException();
            Row in = rows[next];
            float[] out = new float[outElements];
            System.arraycopy(y, next * outElements, out, 0, outElements);
            rows[next++] = null;
            return withResult(in, out);
        }

        private void fill() {
            count = 0;
            next = 0;
            while (count < batchSize && input.hasNext()) {
                if (count == rows.length) grow();
                Row row = input.next();
                String bad = TensorValues.copy(row, layout.tensorIndex(), inElements, inputShape, x, count * inElements);
                if (bad != null) throw new BadRowException(describe(row) + ": column '" + layout.columnName() + "' " + bad);
                rows[count++] = row;
                position++;
            }
            if (count == 0) return;
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

        private void grow() {
            int n = (int) Math.min(batchSize, 2L * rows.length);
            x = java.util.Arrays.copyOf(x, Math.multiplyExact(n, inElements));
            y = new float[Math.multiplyExact(n, outElements)];
            rows = java.util.Arrays.copyOf(rows, n);
        }

        private String describe(Row row) {
            String file = layout.fileIndex() >= 0 && !row.isNullAt(layout.fileIndex()) ? row.getString(layout.fileIndex()) : "";
            if (file.isEmpty()) file = layout.source();
            String id = layout.idIndex() >= 0 ? "id " + row.get(layout.idIndex()) : "row " + position + " of its partition";
            return file + ": " + id;
        }
    }

    private Row withResult(Row in, float[] result) {
        Object[] values = new Object[layout.outputWidth()];
        for (int i = 0; i < layout.keptColumns(); i++) values[i] = in.get(i);
        values[layout.replace() ? layout.tensorIndex() : layout.keptColumns()] = result;
        return RowFactory.create(values);
    }
}
