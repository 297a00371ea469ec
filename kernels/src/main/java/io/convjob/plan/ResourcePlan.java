package io.convjob.plan;

import io.convjob.shape.ModelChecks;
import io.convjob.shape.ModelShapes;
import io.convjob.shape.SizeLimits;
import io.convjob.spec.ConvLayerSpec;
import io.convjob.spec.LayerSpec;
import io.convjob.spec.ModelSpec;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Every buffer a run allocates, sized in {@code long} before any work: the weights, the per-batch input and output,
 * the intermediates between layers, the kernels' workspace and the Arrow record batches. A size no Java array holds
 * or an estimate beyond the memory budget is refused here, as one line naming the argument, the estimate, the limit
 * and what to change ({@link ResourceLimitException}, exit 2).
 *
 * <p>The estimate per batch row: input and output sample (the batch buffers), two intermediates (a stack ping-pongs
 * between two buffers of its largest inner output) and a workspace of the largest layer input (the kernels' padded
 * or stride-split copy). Per record batch row: its input and output in Arrow memory plus the output on the heap.
 * Weights count twice (as read, and packed for the kernels). With several lanes (kernel batches computed at once,
 * {@link PlanRequest#lanes()}) each lane has its own intermediates and workspace and two pairs of batch buffers
 * (one computing, one waiting to be written).
 *
 * @param batchRows       rows per kernel call, adapted down to the rows present (and to memory unless given)
 * @param maxRowsPerBatch the most rows a batch or record-batch slice may hold within the array limit and the budget
 */
public record ResourcePlan(int[] inputShape, int[] outputShape, long macsPerSample, long weightBytes, int batchRows,
                           long inputBytesPerRow, long outputBytesPerRow, long intermediateBytesPerRow,
                           long workspaceBytesPerRow, long recordBatchRows, int tasks, MemoryBudget budget,
                           int maxRowsPerBatch, int lanes) {

    static final long FLOAT = Float.BYTES;

    /** Walks the model's shapes (overflow-checked) and plans one run. */
    public static ResourcePlan of(ModelSpec spec, PlanRequest request) {
        return of(spec, ModelChecks.walk(spec, request.sampleShape()), request);
    }

    /** Plans one run from shapes already walked. */
    public static ResourcePlan of(ModelSpec spec, ModelShapes shapes, PlanRequest request) {
        long weightBytes = checkWeights(spec, request.budget());
        long in = SizeLimits.elements(shapes.inputShape());
        long out = SizeLimits.elements(shapes.outputShape());
        long inner = 0;
        long workspace = 0;
        List<LayerSpec> layers = spec.layers();
        int[] layerInput = shapes.inputShape();
        for (int i = 0; i < layers.size(); i++) {
            if (i < layers.size() - 1) inner = Math.max(inner, SizeLimits.elements(shapes.outputShape(i)));
            if (layers.get(i) instanceof ConvLayerSpec) workspace = Math.max(workspace, SizeLimits.elements(layerInput));
            layerInput = shapes.outputShape(i);
        }
        long widest = Math.max(Math.max(in, out), Math.max(inner, workspace));
        long arrayRows = widest == 0 ? SizeLimits.MAX_ARRAY : SizeLimits.MAX_ARRAY / widest;

        int lanes = request.lanes();
        long perRow = FLOAT * (bufferPairs(lanes) * (in + out) + lanes * (2 * inner + workspace));
        long recordPerRow = FLOAT * (in + 2 * out);
        long tasks = request.tasks();
        long budget = request.budget().bytes();
        long wanted = request.rows() < 0 ? request.batchSize() : Math.max(1, Math.min(request.rows(), request.batchSize()));
        long recordRows = request.sliceable()
                ? sliceRows(request.recordBatchRows(), Math.min(wanted, arrayRows), request.batchSizeGiven(), perRow,
                        recordPerRow, tasks, budget - weightBytes)
                : request.recordBatchRows();
        long recordBytes = times(recordRows, recordPerRow);
        long spare = budget - weightBytes - times(tasks, recordBytes);
        long memoryRows = perRow == 0 ? Long.MAX_VALUE : Math.max(0, spare) / (tasks * perRow);

        long rows = wanted;
        if (request.batchSizeGiven()) {
            if (rows > arrayRows) {
                throw new ResourceLimitException("--batch-size " + request.batchSize() + ": " + SizeLimits.count(rows)
                        + " rows x " + SizeLimits.count(widest) + " floats is more than a Java array holds ("
                        + SizeLimits.count(SizeLimits.MAX_ARRAY) + "); at most " + SizeLimits.count(arrayRows)
                        + " rows per batch for this model and input shape");
            }
        } else {
            rows = Math.max(1, Math.min(Math.min(rows, arrayRows), memoryRows));
        }
        ResourcePlan plan = new ResourcePlan(shapes.inputShape(), shapes.outputShape(), shapes.totalMacs(), weightBytes,
                (int) rows, FLOAT * in, FLOAT * out, FLOAT * 2 * inner, FLOAT * workspace, recordRows, request.tasks(),
                request.budget(), (int) Math.max(1, Math.min(arrayRows, Math.min(memoryRows, Integer.MAX_VALUE))), lanes);
        if (plan.totalBytes() > budget) {
            String fix;
            if (memoryRows >= 1 && memoryRows < rows) {
                fix = "lower --batch-size to at most " + SizeLimits.count(memoryRows) + ", or raise " + request.budget().raise();
            } else if (recordRows > 0 && times(tasks, recordBytes) > budget / 2) {
                fix = "write the input with smaller record batches (a compressed record batch, or any in an Arrow stream,"
                        + " is read whole; an uncompressed IPC file is read in slices), or raise " + request.budget().raise();
            } else {
                fix = "raise " + request.budget().raise();
            }
            throw new ResourceLimitException("not enough memory: " + plan.estimate() + " needs about "
                    + bytes(plan.totalBytes()) + ", more than " + request.budget().name() + "; " + fix);
        }
        return plan;
    }

    /**
     * Rows of a record batch read at once when it may be read in slices: all of it when it fits beside the weights and
     * a batch of {@code batchRows}, else what fits (beside a given batch size, or sharing with the batch row for row),
     * at least 1.
     */
    private static long sliceRows(long recordRows, long batchRows, boolean batchSizeGiven, long perRow, long recordPerRow,
                                  long tasks, long available) {
        if (recordRows <= 0 || recordPerRow == 0) return recordRows;
        long whole = times(tasks, Math.max(0, times(batchRows, perRow)) + times(recordRows, recordPerRow));
        if (available > 0 && whole >= 0 && whole <= available) return recordRows;
        long fit = batchSizeGiven
                ? (available - times(tasks, times(batchRows, perRow))) / times(tasks, recordPerRow)
                : available / times(tasks, perRow + recordPerRow);
        return Math.max(1, Math.min(recordRows, fit));
    }

    /**
     * Checks every conv layer's weight against the array limit and the weights together against {@code budget}.
     *
     * @return the bytes the weights take (as read and packed)
     */
    public static long checkWeights(ModelSpec spec, MemoryBudget budget) {
        long total = 0;
        for (int i = 0; i < spec.layers().size(); i++) {
            if (!(spec.layers().get(i) instanceof ConvLayerSpec c)) continue;
            long n = c.weightCount();
            if (n > SizeLimits.MAX_ARRAY) {
                String at = spec.pathOf(i);
                throw new ResourceLimitException((at.isEmpty() ? "" : at.substring(0, at.length() - 1) + ": ")
                        + "weight " + Arrays.toString(c.weightShape()) + " (out_channels, in_channels / groups,"
                        + " *kernel_size) has " + SizeLimits.count(n) + " elements, more than a Java array holds ("
                        + SizeLimits.count(SizeLimits.MAX_ARRAY) + ")");
            }
            total += 2 * FLOAT * c.parameterCount();
        }
        if (total > budget.bytes()) {
            throw new ResourceLimitException("not enough memory: the weights need about " + bytes(total)
                    + " (as read and packed for the kernels), more than " + budget.name() + "; raise " + budget.raise());
        }
        return total;
    }

    /** Input and output buffer pairs: one serially; with lanes, two per lane (one computing, one being written). */
    static long bufferPairs(int lanes) {
        return lanes == 1 ? 1 : 2L * lanes;
    }

    /** The batch buffers, intermediates and workspace of every lane of one task. */
    public long batchBytes() {
        return batchRows * (bufferPairs(lanes) * (inputBytesPerRow + outputBytesPerRow)
                + lanes * (intermediateBytesPerRow + workspaceBytesPerRow));
    }

    public long recordBatchBytes() {
        return times(recordBatchRows, inputBytesPerRow + 2 * outputBytesPerRow);
    }

    public long totalBytes() {
        long perTask = batchBytes() + recordBatchBytes();
        return perTask < 0 ? Long.MAX_VALUE : Math.min(Long.MAX_VALUE - weightBytes, times(tasks, perTask)) + weightBytes;
    }

    /** {@code a * b} for non-negative operands, saturating at {@link Long#MAX_VALUE}. */
    static long times(long a, long b) {
        return a != 0 && b > Long.MAX_VALUE / a ? Long.MAX_VALUE : a * b;
    }

    /** One line: what takes the memory, for the refusal and for an {@code OutOfMemoryError}'s report. */
    public String estimate() {
        String perTask = (lanes > 1 ? lanes + " lanes of " : "") + "batch of " + rows(batchRows) + " x "
                + Arrays.toString(inputShape) + " -> " + Arrays.toString(outputShape) + " " + bytes(batchBytes())
                + (recordBatchRows > 0 ? ", record batch of " + rows(recordBatchRows) + " " + bytes(recordBatchBytes()) : "");
        return "weights " + bytes(weightBytes) + " + " + (tasks > 1 ? tasks + " tasks x (" + perTask + ")" : perTask);
    }

    /** The plan as {@code describe} prints it. */
    public String toText() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "resource plan (float32, %d row%s per batch%s%s):%n", batchRows,
                batchRows == 1 ? "" : "s", tasks > 1 ? ", " + tasks + " tasks at once" : "",
                lanes > 1 ? ", " + lanes + " batches computed at once" : ""));
        row(sb, "weights (as read + packed)", weightBytes);
        String buffers = lanes > 1 ? " (x" + bufferPairs(lanes) + ")" : " per batch";
        String each = lanes > 1 ? " (x" + lanes + ")" : " per batch";
        row(sb, "input" + buffers, bufferPairs(lanes) * batchRows * inputBytesPerRow);
        row(sb, "output" + buffers, bufferPairs(lanes) * batchRows * outputBytesPerRow);
        row(sb, "intermediates" + each, lanes * batchRows * intermediateBytesPerRow);
        row(sb, "kernel workspace" + each, lanes * batchRows * workspaceBytesPerRow);
        if (recordBatchRows > 0) row(sb, "Arrow record batch (" + recordBatchRows + " rows)", recordBatchBytes());
        row(sb, "total", totalBytes());
        sb.append(String.format(Locale.ROOT, "  limit: %s; at most %,d rows per batch fit%n", budget.name(), maxRowsPerBatch));
        return sb.toString();
    }

    private static void row(StringBuilder sb, String what, long n) {
        sb.append(String.format(Locale.ROOT, "  %-34s %12s%n", what, bytes(n)));
    }

    private static String rows(long n) {
        return String.format(Locale.ROOT, "%,d row%s", n, n == 1 ? "" : "s");
    }

    /** {@code 1.5 GiB}, {@code 12.0 MiB}, {@code 512 B}. */
    public static String bytes(long n) {
        if (n < 1024) return n + " B";
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
