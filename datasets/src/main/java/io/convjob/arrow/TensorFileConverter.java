package io.convjob.arrow;

import io.convjob.Tensor;
import org.apache.arrow.vector.FieldVector;

/**
 * Runs a tensor function over an Arrow tensor file, batch by batch, into a {@link TensorFileWriter}: rows go from
 * Arrow straight into a reused float buffer, through the kernel {@code batchSize} rows at a time, and straight from
 * the kernel's reused output buffer into the writer's tensor vector (one copy in, one copy out, no per-batch
 * allocation), with every other column copied vector to vector. Shared by {@code convjob apply} and the Spark job's tasks.
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
    private final float[] x;
    private final float[] y;

    public TensorFileConverter(int[] inputShape, int[] outputShape, int batchSize) {
        if (batchSize < 1) throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        this.inElements = Math.toIntExact(Tensor.elementCount(inputShape));
        this.outElements = Math.toIntExact(Tensor.elementCount(outputShape));
        this.batchSize = batchSize;
        this.x = new float[Math.multiplyExact(batchSize, inElements)];
        this.y = new float[Math.multiplyExact(batchSize, outElements)];
    }

    /**
     * Converts record batches {@code [firstBatch, firstBatch + batchCount)} of {@code reader}, or all remaining ones
     * when {@code batchCount < 0}, writing each to {@code writer} (the caller commits it).
     *
     * @return the rows written
     * @throws TensorFormatException for a bad row (null, wrong length), naming the file and the row's id
     */
    public long convert(TensorFileReader reader, int firstBatch, int batchCount, TensorFileWriter writer, BatchKernel kernel) {
        long rows = 0;
        if (batchCount < 0) {
            while (reader.loadNextBatch()) rows += convertLoaded(reader, writer, kernel);
            return rows;
        }
        for (int b = 0; b < batchCount; b++) {
            reader.loadBatch(firstBatch + b);
            // a record batch read in slices (TensorFileReader.readInSlices) is written as one output batch per slice
            do {
                rows += convertLoaded(reader, writer, kernel);
            } while (reader.loadNextSlice());
        }
        return rows;
    }

    /** Runs the kernel over the loaded rows and writes them as one output record batch; returns their count. */
    private int convertLoaded(TensorFileReader reader, TensorFileWriter writer, BatchKernel kernel) {
        int n = reader.batchRows();
        writer.reserveTensorRows(n);
        FixedShapeTensorVector out = writer.tensorVector();
        for (int from = 0; from < n; from += batchSize) {
            int count = Math.min(batchSize, n - from);
            copyChecked(reader, from, count);
            kernel.run(x, count, y);
            out.writeRows(from, count, y, 0);
        }
        writer.writeBatch(reader.root());
        return n;
    }

    /** Copies rows for the kernel; a bad row fails naming the file and the row's id. */
    private void copyChecked(TensorFileReader reader, int from, int count) {
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
