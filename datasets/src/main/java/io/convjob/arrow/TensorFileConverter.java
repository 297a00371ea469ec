package io.convjob.arrow;

import io.convjob.Tensor;
import java.util.ArrayDeque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.arrow.vector.FieldVector;

/**
 * Runs a tensor function over an Arrow tensor file, batch by batch, into a {@link TensorFileWriter}: rows go from
 * Arrow straight into a reused float buffer, through the kernel {@code batchSize} rows at a time, and straight from
 * the kernel's reused output buffer into the writer's tensor vector (one copy in, one copy out, no per-batch
 * allocation), with every other column copied vector to vector. Shared by {@code convjob apply} and the Spark job's tasks.
 *
 * <p>With {@code lanes > 1} the kernel batches run data-parallel: each lane (a thread of its own) copies its rows
 * in and runs the kernel on buffers of its own, and the caller's thread writes the results out in input order, so
 * the output is the same bytes as the serial path's. On few cores this beats splitting every layer over threads
 * (no barrier per layer), and the copying out overlaps the lanes' compute. Memory: two buffer pairs per lane.
 * Not thread-safe: one converter per thread, reused across files.
 */
public final class TensorFileConverter {

    /** {@code y[0 .. rows * out) = f(x[0 .. rows * in))}, rows of the input and output sample shapes. */
    public interface BatchKernel {
        void run(float[] x, int rows, float[] y);
    }

    private final int inElements;
    private final int outElements;
    private final int batchSize;
    private final int lanes;
    private final float[] x;
    private final float[] y;

    /** A serial converter: the kernel runs on the caller's thread. */
    public TensorFileConverter(int[] inputShape, int[] outputShape, int batchSize) {
        this(inputShape, outputShape, batchSize, 1);
    }

    /**
     * @param lanes kernel batches run at the same time, each on a thread of its own (1: on the caller's thread);
     *              the kernel must then be safe to call from several threads at once
     */
    public TensorFileConverter(int[] inputShape, int[] outputShape, int batchSize, int lanes) {
        if (batchSize < 1) throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        if (lanes < 1) throw new IllegalArgumentException("lanes must be >= 1, got " + lanes);
        this.inElements = Math.toIntExact(Tensor.elementCount(inputShape));
        this.outElements = Math.toIntExact(Tensor.elementCount(outputShape));
        this.batchSize = batchSize;
        this.lanes = lanes;
        this.x = lanes == 1 ? new float[Math.multiplyExact(batchSize, inElements)] : null;
        this.y = lanes == 1 ? new float[Math.multiplyExact(batchSize, outElements)] : null;
    }

    /**
     * Converts record batches {@code [firstBatch, firstBatch + batchCount)} of {@code reader}, or all remaining ones
     * when {@code batchCount < 0}, writing each to {@code writer} (the caller commits it).
     *
     * @return the rows written
     * @throws TensorFormatException for a bad row (null, wrong length), naming the file and the row's id
     */
    public long convert(TensorFileReader reader, int firstBatch, int batchCount, TensorFileWriter writer, BatchKernel kernel) {
        if (lanes > 1) return convertInLanes(reader, firstBatch, batchCount, writer, kernel);
        long rows = 0;
        for (int b = 0; batchCount < 0 ? reader.loadNextBatch() : b < batchCount; b++) {
            if (batchCount >= 0) reader.loadBatch(firstBatch + b);
            int n = reader.batchRows();
            writer.reserveTensorRows(n);
            FixedShapeTensorVector out = writer.tensorVector();
            for (int from = 0; from < n; from += batchSize) {
                int count = Math.min(batchSize, n - from);
                copyChecked(reader, from, count, x);
                kernel.run(x, count, y);
                out.writeRows(from, count, y, 0);
            }
            writer.writeBatch(reader.root());
            rows += n;
        }
        return rows;
    }

    /** One kernel batch in flight: its rows and its own buffers. */
    private static final class Slot {
        final float[] x;
        final float[] y;
        int from;
        int count;

        Slot(int inLength, int outLength) {
            x = new float[inLength];
            y = new float[outLength];
        }
    }

    /**
     * {@link #convert} with the kernel batches of each record batch spread over the lanes; results written in
     * input order. At most two batches per lane are in flight (bounded memory).
     */
    private long convertInLanes(TensorFileReader reader, int firstBatch, int batchCount, TensorFileWriter writer, BatchKernel kernel) {
        ArrayDeque<Slot> free = new ArrayDeque<>();
        for (int i = 0; i < 2 * lanes; i++) {
            free.add(new Slot(Math.multiplyExact(batchSize, inElements), Math.multiplyExact(batchSize, outElements)));
        }
        AtomicInteger laneNumber = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(lanes, r -> {
            Thread t = new Thread(r, "convjob-lane-" + laneNumber.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        ArrayDeque<Future<Slot>> inFlight = new ArrayDeque<>();
        try {
            long rows = 0;
            for (int b = 0; batchCount < 0 ? reader.loadNextBatch() : b < batchCount; b++) {
                if (batchCount >= 0) reader.loadBatch(firstBatch + b);
                int n = reader.batchRows();
                writer.reserveTensorRows(n);
                FixedShapeTensorVector out = writer.tensorVector();
                for (int from = 0; from < n; from += batchSize) {
                    if (free.isEmpty()) writeOldest(inFlight, out, free);
                    Slot slot = free.poll();
                    slot.from = from;
                    slot.count = Math.min(batchSize, n - from);
                    inFlight.add(pool.submit(() -> {
                        copyChecked(reader, slot.from, slot.count, slot.x);
                        kernel.run(slot.x, slot.count, slot.y);
                        return slot;
                    }));
                }
                while (!inFlight.isEmpty()) writeOldest(inFlight, out, free);
                writer.writeBatch(reader.root());
                rows += n;
            }
            return rows;
        } finally {
            // a failed batch: the others still read the reader's vectors, so they end before the caller closes it
            for (Future<Slot> f : inFlight) f.cancel(false);
            pool.shutdown();
            try {
                while (!pool.awaitTermination(1, TimeUnit.SECONDS)) {
                    // a lane still computes a batch nobody will write; it ends on its own
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Waits for the oldest batch in flight, writes its rows, and frees its slot; a lane's failure is rethrown. */
    private static void writeOldest(ArrayDeque<Future<Slot>> inFlight, FixedShapeTensorVector out, ArrayDeque<Slot> free) {
        Slot slot;
        try {
            slot = inFlight.poll().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while converting", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            if (e.getCause() instanceof Error err) throw err;
            throw new IllegalStateException(e.getCause());
        }
        out.writeRows(slot.from, slot.count, slot.y, 0);
        free.add(slot);
    }

    /** Copies rows for the kernel into {@code x}; a bad row fails naming the file and the row's id. */
    private static void copyChecked(TensorFileReader reader, int from, int count, float[] x) {
        try {
            reader.copyTensors(from, count, x, 0);
        } catch (TensorFormatException e) {
            for (int r = from; r < from + count; r++) {
                try {
                    reader.copyTensors(r, 1, x, 0);
                } catch (TensorFormatException bad) {
                    throw new TensorFormatException(reader.file() + ": " + rowName(reader, r) + ": "
                            + detail(bad.getMessage(), reader.column()), bad);
                }
            }
            throw e;
        }
    }

    /** {@code id 17} when the file has an {@code id} column, else {@code row 5} (its index in the file). */
    private static String rowName(TensorFileReader reader, int row) {
        FieldVector id = reader.root().getVector("id");
        if (id != null && !id.isNull(row)) return "id " + id.getObject(row);
        return "row " + (reader.batchFirstRow() + row);
    }

    /** The reader's reason without its own file and row prefix: {@code column 'tensor': row 3 is null}. */
    private static String detail(String message, String column) {
        int at = message.indexOf("column '" + column + "'");
        return at < 0 ? message : message.substring(at);
    }

}
