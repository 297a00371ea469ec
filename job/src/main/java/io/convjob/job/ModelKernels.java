package io.convjob.job;

import io.convjob.Model;
import io.convjob.arrow.TensorFileConverter;
import io.convjob.job.frame.ConvPartitionFunction;
import io.convjob.job.model.ModelCache;
import io.convjob.job.model.ModelPayload;
import org.apache.spark.TaskContext;
import org.apache.spark.broadcast.Broadcast;

/**
 * The broadcast model as the lean job's per-task kernel: the executor's cached {@link Model}, run with the task's
 * thread count. Honours the test-only fault injection of {@link ConvPartitionFunction#FAIL_FIRST_ATTEMPT}.
 */
record ModelKernels(Broadcast<ModelPayload> model, String applicationId, int[] inputShape, int threads,
                    boolean failFirstAttempt) implements TensorFileJob.KernelFactory {

    @Override
    public TensorFileConverter.BatchKernel open(TaskContext task) {
        Model built = ModelCache.of(applicationId, model);
        boolean inject = failFirstAttempt && task.partitionId() == 0 && task.attemptNumber() == 0;
        int[] shape = inputShape.clone();
        int[] calls = {0};
        return (x, rows, y) -> {
            if (inject && calls[0]++ == 1) {
                throw new IllegalStateException("injected failure (" + ConvPartitionFunction.FAIL_FIRST_ATTEMPT
                        + ") after the first batch");
            }
            built.run(x, shape, rows, y, threads);
        };
    }
}
