package io.convjob.arrow;

import io.convjob.Tensor;
import io.convjob.concurrent.Threads;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Runs a tensor function over an Arrow tensor file, batch by batch, into a {@link TensorFileWriter}: rows go from
 * Arrow straight into a reused float buffer, through the kernel {@code batchSize} rows at a time, and straight from
 * the kernel's output buffer into the writer's tensor vector (one copy in, one copy out), with every other column
 * copied vector to vector. Each record batch is written as one output record batch. Shared by {@code convjob apply}
 * and the Spark job's tasks.
 *
 * <p>One pipeline for every lane count. This thread reads a record batch, copies its chunks into free chunk
 * buffers and hands them to the kernel; it then writes each chunk's result, oldest first, and each record batch once
 * all its rows are in. With {@code lanes == 1} the kernel runs on this thread, one chunk at a time. With
 * {@code lanes > 1} it runs on that many threads of the converter's own (made once, kept for every file until
 * {@link #close}), a chunk each, while this thread goes on reading the next record batch and writing the finished
 * ones: the kernels never wait for the I/O of a record batch boundary. The other columns of a record batch are kept
 * in a small root of their own until it is written, so the reader may move on before the kernels are done with a
 * batch. Memory: {@code 2 * lanes} chunk buffer pairs (one with a single lane), allocated once and reused.
 * Not thread-safe: one converter per thread, reused across files.
 */
public final class TensorFileConverter implements AutoCloseable {

    /** {@code y[0 .. rows * out) = f(x[0 .. rows * in))}, rows of the input and output sample shapes. */
    public interface BatchKernel {
        void run(float[] x, int rows, float[] y);
    }

    private final int inElements;
    private final int outElements;
    private final int batchSize;
    private final int lanes;
    private final ArrayDeque<Chunk> freeChunks = new ArrayDeque<>();
    private int chunksMade;
    private ExecutorService pool; // lanes > 1: made on first use
    private final List<Thread> laneThreads = new CopyOnWriteArrayList<>(); // the pool's, joined by close
    private boolean closed;

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
        Math.multiplyExact(batchSize, Math.max(inElements, outElements)); // a chunk must fit a Java array
        this.batchSize = batchSize;
        this.lanes = lanes;
    }

    /** Chunk buffer pairs: the lane's one, or two per lane (one computing while the other is filled or written). */
    private int chunkCount() {
        return lanes == 1 ? 1 : 2 * lanes;
    }

    /**
     * Converts record batches {@code [firstBatch, firstBatch + batchCount)} of {@code reader}, or all remaining ones
     * when {@code batchCount < 0}, writing each to {@code writer} (the caller commits it).
     *
     * @return the rows written
     * @throws TensorFormatException for a bad row (null, wrong length), naming the file and the row's id
     */
    public long convert(TensorFileReader reader, int firstBatch, int batchCount, TensorFileWriter writer, BatchKernel kernel) {
        if (closed) throw new IllegalStateException("converter closed");
        Pipeline pipeline = new Pipeline(reader, writer, kernel);
        try {
            // a record batch read in slices (TensorFileReader.readInSlices) is written as one output batch per slice
            for (Loads loads = new Loads(reader, firstBatch, batchCount); loads.next(); ) pipeline.add();
            pipeline.finish();
            return pipeline.rowsWritten;
        } finally {
            pipeline.close();
        }
    }

    /**
     * Ends the lanes' threads (no chunk is left to them by then) and returns once they have ended, not merely gone
     * idle; the converter cannot convert any more.
     */
    @Override
    public void close() {
        closed = true;
        freeChunks.clear();
        if (pool == null) return;
        pool.shutdown();
        for (Thread lane : laneThreads) Threads.joinUninterruptibly(lane);
        laneThreads.clear();
        pool = null;
    }

    /** Steps through the loads of a batch range: each record batch, or each slice of one that is read in slices. */
    private static final class Loads {
        private final TensorFileReader reader;
        private final int firstBatch;
        private final int batchCount;
        private int started;

        Loads(TensorFileReader reader, int firstBatch, int batchCount) {
            this.reader = reader;
            this.firstBatch = firstBatch;
            this.batchCount = batchCount;
        }

        /** Loads the next slice or record batch; false past the range ({@code batchCount < 0}: past the file). */
        boolean next() {
            if (batchCount < 0) return reader.loadNextBatch();
            if (started > 0 && reader.loadNextSlice()) return true;
            if (started == batchCount) return false;
            reader.loadBatch(firstBatch + started++);
            return true;
        }
    }

    /** One kernel call's rows and buffers, reused from chunk to chunk. */
    private static final class Chunk {
        final float[] x;
        final float[] y;
        Batch batch;
        int from;
        int count;
        Future<?> done; // null when the kernel ran on the converting thread

        Chunk(int inLength, int outLength) {
            x = new float[inLength];
            y = new float[outLength];
        }
    }

    /** A record batch read but not yet written: its row count, its other columns, the tensor rows written so far. */
    private static final class Batch {
        final int rows;
        final VectorSchemaRoot others;
        int rowsDone;

        Batch(int rows, VectorSchemaRoot others) {
            this.rows = rows;
            this.others = others;
        }
    }

    /** One {@link #convert} call's state. */
    private final class Pipeline implements AutoCloseable {
        private final TensorFileReader reader;
        private final TensorFileWriter writer;
        private final BatchKernel kernel;
        private final ArrayDeque<Chunk> inFlight = new ArrayDeque<>();  // oldest first
        private final ArrayDeque<Batch> unwritten = new ArrayDeque<>(); // oldest first
        private final ArrayDeque<VectorSchemaRoot> freeOthers = new ArrayDeque<>();
        private final List<VectorSchemaRoot> allOthers = new ArrayList<>();
        private final Schema othersSchema;
        private final BufferAllocator allocator;
        private volatile boolean stopped;
        long rowsWritten;

        Pipeline(TensorFileReader reader, TensorFileWriter writer, BatchKernel kernel) {
            this.reader = reader;
            this.writer = writer;
            this.kernel = kernel;
            this.othersSchema = writer.otherColumns();
            this.allocator = writer.allocator();
        }

        /** Takes the reader's current load: its other columns kept, its chunks handed to the kernel. */
        void add() {
            // a bounded number of record batches waits for its kernels (a file of empty batches cannot pile up)
            while (unwritten.size() > chunkCount() && !inFlight.isEmpty()) writeOldestChunk();
            int n = reader.batchRows();
            Batch batch = new Batch(n, othersOf(reader.root(), n));
            unwritten.add(batch);
            for (int from = 0; from < n; from += batchSize) {
                Chunk chunk = freeChunk();
                chunk.batch = batch;
                chunk.from = from;
                chunk.count = Math.min(batchSize, n - from);
                try {
                    copyChecked(reader, chunk.from, chunk.count, chunk.x); // a bad row fails here, before its kernel
                } catch (RuntimeException e) {
                    freeChunks.add(chunk);
                    throw e;
                }
                inFlight.add(chunk);
                if (lanes == 1) {
                    kernel.run(chunk.x, chunk.count, chunk.y);
                } else {
                    chunk.done = lanes().submit(() -> {
                        if (!stopped) kernel.run(chunk.x, chunk.count, chunk.y);
                    });
                }
            }
            writeFinishedBatches(); // an empty record batch
        }

        /** Writes every chunk still in flight and the record batches they finish. */
        void finish() {
            while (!inFlight.isEmpty()) writeOldestChunk();
            writeFinishedBatches();
            if (!unwritten.isEmpty()) throw new IllegalStateException("record batches left unwritten");
        }

        private Chunk freeChunk() {
            if (freeChunks.isEmpty() && chunksMade < chunkCount()) {
                chunksMade++;
                return new Chunk(Math.multiplyExact(batchSize, inElements), Math.multiplyExact(batchSize, outElements));
            }
            while (freeChunks.isEmpty()) writeOldestChunk();
            return freeChunks.poll();
        }

        /** Waits for the oldest chunk's kernel, writes its rows into the writer's batch, and writes that batch when full. */
        private void writeOldestChunk() {
            Chunk chunk = inFlight.peek();
            await(chunk.done);
            inFlight.poll();
            // chunks finish in order, so the oldest chunk belongs to the oldest unwritten batch: the writer's
            if (chunk.from == 0) writer.reserveTensorRows(chunk.batch.rows);
            writer.tensorVector().writeRows(chunk.from, chunk.count, chunk.y, 0);
            chunk.batch.rowsDone += chunk.count;
            chunk.done = null;
            chunk.batch = null;
            freeChunks.add(chunk);
            writeFinishedBatches();
        }

        private void writeFinishedBatches() {
            while (!unwritten.isEmpty() && unwritten.peek().rowsDone == unwritten.peek().rows) {
                Batch batch = unwritten.poll();
                writer.writeBatch(batch.others);
                rowsWritten += batch.rows;
                freeOthers.add(batch.others);
            }
        }

        /** The non-tensor columns of the reader's current load, copied into a reused root of their own. */
        private VectorSchemaRoot othersOf(VectorSchemaRoot source, int rows) {
            VectorSchemaRoot kept = freeOthers.poll();
            if (kept == null) {
                kept = VectorSchemaRoot.create(othersSchema, allocator);
                allOthers.add(kept);
            }
            TensorFileWriter.copyColumns(source, kept, rows);
            return kept;
        }

        private ExecutorService lanes() {
            if (pool == null) {
                AtomicInteger number = new AtomicInteger();
                pool = Executors.newFixedThreadPool(lanes, r -> {
                    Thread t = new Thread(r, "convjob-lane-" + number.incrementAndGet());
                    t.setDaemon(true);
                    laneThreads.add(t);
                    return t;
                });
            }
            return pool;
        }

        /**
         * Ends the call: on failure, the chunks not started are skipped and those computing are waited for (their
         * buffers then go back to the converter); the kept columns are freed.
         */
        @Override
        public void close() {
            stopped = true;
            for (Chunk chunk : inFlight) {
                awaitQuietly(chunk.done);
                chunk.done = null;
                chunk.batch = null;
                freeChunks.add(chunk);
            }
            inFlight.clear();
            for (VectorSchemaRoot root : allOthers) root.close();
        }
    }

    /** Waits for a lane's chunk; its failure is rethrown as is. */
    private static void await(Future<?> done) {
        if (done == null) return;
        try {
            done.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while converting", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            if (e.getCause() instanceof Error err) throw err;
            throw new IllegalStateException(e.getCause());
        }
    }

    /** Waits for a chunk that is being given up (even when interrupted: its buffers are reused after). */
    private static void awaitQuietly(Future<?> done) {
        if (done == null) return;
        boolean interrupted = false;
        while (true) {
            try {
                done.get();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            } catch (ExecutionException | java.util.concurrent.CancellationException e) {
                break; // already reported, or never ran
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
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
