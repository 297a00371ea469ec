package io.convjob.job.frame;

import io.convjob.error.InputException;
import io.convjob.plan.ResourceLimitException;

import java.util.Arrays;

/** An {@link OutOfMemoryError} in a Spark task, caught where its buffers are already unreachable. */
public final class TaskMemory {
    private TaskMemory() {}

    /**
     * The error as a bad-input failure with the fix: Spark then fails the job (one line on the driver) instead of
     * killing the executor (exit 52 and a hundred lines).
     */
    public static InputException outOfMemory(OutOfMemoryError e, int batchRows, int[] sampleShape) {
        return new ResourceLimitException("out of memory in a Spark task (" + e.getMessage() + ") running batches of "
                + batchRows + " rows x " + Arrays.toString(sampleShape) + "; lower --batch-size or raise"
                + " spark.executor.memory (local mode: -Xmx, e.g. CONVJOB_JAVA_OPTS=-Xmx4g)");
    }
}
