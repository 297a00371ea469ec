package io.convjob.plan;

/**
 * What a command is about to do, for {@link ResourcePlan#of}.
 *
 * @param sampleShape     one input sample {@code (channels, *spatial)}
 * @param rows            rows in the input if known, else -1 (the batch shrinks to them)
 * @param batchSize       {@code --batch-size}
 * @param batchSizeGiven  true if the user chose it: then it is kept or refused, never silently lowered for memory
 * @param recordBatchRows rows of the largest Arrow record batch, 0 for none
 * @param tasks           batches in memory at once (Spark tasks per executor; 1 in-process)
 * @param budget          the memory all of it must fit
 * @param lanes           kernel batches a task computes at once, each on a thread with its own model workspace and
 *                        two pairs of batch buffers ({@code apply}'s data-parallel threads); 1: one batch, serially
 * @param sliceable       true if record batches larger than memory allows may be read in slices of rows (an
 *                        uncompressed IPC file); false if they are read whole (compressed batches, Arrow streams)
 */
public record PlanRequest(int[] sampleShape, long rows, int batchSize, boolean batchSizeGiven, long recordBatchRows,
                          int tasks, MemoryBudget budget, int lanes, boolean sliceable) {
    public PlanRequest {
        sampleShape = sampleShape.clone();
        if (batchSize < 1) throw new ResourceLimitException("--batch-size must be >= 1, got " + batchSize);
        if (tasks < 1) throw new IllegalArgumentException("tasks must be >= 1, got " + tasks);
        if (lanes < 1) throw new IllegalArgumentException("lanes must be >= 1, got " + lanes);
    }

    /** One batch at a time per task. */
    public PlanRequest(int[] sampleShape, long rows, int batchSize, boolean batchSizeGiven, long recordBatchRows,
                       int tasks, MemoryBudget budget) {
        this(sampleShape, rows, batchSize, batchSizeGiven, recordBatchRows, tasks, budget, 1, false);
    }

    /** The same request with {@code lanes} kernel batches computed at once. */
    public PlanRequest withLanes(int lanes) {
        return new PlanRequest(sampleShape, rows, batchSize, batchSizeGiven, recordBatchRows, tasks, budget, lanes, sliceable);
    }

    /** One batch at a time per task; record batches read in slices when {@code sliceable}. */
    public PlanRequest(int[] sampleShape, long rows, int batchSize, boolean batchSizeGiven, long recordBatchRows,
                       int tasks, MemoryBudget budget, boolean sliceable) {
        this(sampleShape, rows, batchSize, batchSizeGiven, recordBatchRows, tasks, budget, 1, sliceable);
    }

    /** In-process ({@code apply}): one batch at a time, this JVM's heap, record batches read whole. */
    public static PlanRequest inProcess(int[] sampleShape, long rows, int batchSize, boolean batchSizeGiven,
                                        long recordBatchRows) {
        return new PlanRequest(sampleShape, rows, batchSize, batchSizeGiven, recordBatchRows, 1, MemoryBudget.heap());
    }

    @Override public int[] sampleShape() { return sampleShape.clone(); }
}
