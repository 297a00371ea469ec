package io.convjob.job;

import io.convjob.Tensor;
import io.convjob.arrow.ArrowMemoryPool;
import io.convjob.arrow.TensorCompression;
import io.convjob.arrow.TensorFileConverter;
import io.convjob.arrow.TensorFileConverter.BatchKernel;
import io.convjob.arrow.TensorFileReader;
import io.convjob.arrow.TensorFileWriter;
import io.convjob.spark.TensorCommitMessage;
import io.convjob.spark.TensorCommitter;
import io.convjob.spark.TensorFilePartition;
import io.convjob.storage.OutputDirectory;
import io.convjob.storage.Storage;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.hadoop.fs.Path;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.api.java.function.FlatMapFunction;

/**
 * The lean job path: a tensor function applied file to file on Spark, without Spark SQL rows in between. Each
 * task streams the record batches of its input partition (a file, or a range of its batches) straight from Arrow
 * into float buffers, runs the kernel on chunks of {@code batchSize} rows, and writes Arrow with the tensor column
 * replaced and every other column copied vector to vector. Files are read and written through the storage seam (any
 * Hadoop scheme). Output goes through {@link OutputDirectory}'s protocol: one file per partition is committed,
 * whatever tasks were retried or speculated.
 */
public final class TensorFileJob {
    private TensorFileJob() {}

    /** Creates the per-task kernel on the executor (e.g. from a broadcast model). */
    public interface KernelFactory extends Serializable {
        BatchKernel open(TaskContext task);
    }

    /**
     * @param column      the tensor column
     * @param inputShape  one row's shape, as the files declare it
     * @param outputShape the kernel's output shape per row
     * @param batchSize   rows per kernel call
     * @param compression how the written record batches are compressed
     */
    public record Options(String column, int[] inputShape, int[] outputShape, int batchSize, TensorCompression compression)
            implements Serializable {}

    /** What was committed: rows and bytes of tensor data read and written, and the number of part files. */
    public record Result(long rows, long tensorBytesIn, long tensorBytesOut, int files) {}

    /**
     * Runs the job into {@code output}, which the caller has claimed, and commits it; on failure the tasks are
     * stopped and the exception rethrown (the caller aborts {@code output}).
     *
     * @param partitions the input as the driver planned it ({@code TensorScanPlanner}), once
     * @param overwrite  the commit replaces the directory's previous data files
     */
    public static Result run(JavaSparkContext spark, Storage storage, List<TensorFilePartition> partitions,
                             OutputDirectory output, boolean overwrite, Options options, KernelFactory kernels) {
        TensorCommitter committer = new TensorCommitter(output);
        List<TensorCommitMessage> messages;
        String group = committer.queryId();
        spark.setJobGroup(group, "convjob file-to-file", true);
        // the storage (its Hadoop configuration) goes to each executor once, not deserialized again by every task
        Broadcast<Storage> sharedStorage = spark.broadcast(storage);
        try {
            messages = spark.parallelize(partitions, Math.max(1, partitions.size()))
                    .mapPartitions(new Task(options, sharedStorage, output.temporaryDir().toString(), kernels)).collect();
        } catch (Exception e) { // Spark's SparkException is checked but undeclared; rethrown as is
            // a failed job's other tasks may still be running: stop them before deleting what they wrote
            spark.cancelJobGroup(group);
            awaitNoActiveTasks(spark, group);
            throw e;
        } finally {
            spark.clearJobGroup();
            sharedStorage.destroy();
        }
        committer.commit(messages, overwrite);
        long rows = messages.stream().mapToLong(TensorCommitMessage::rows).sum();
        long in = Tensor.elementCount(options.inputShape()) * Float.BYTES;
        long out = Tensor.elementCount(options.outputShape()) * Float.BYTES;
        return new Result(rows, rows * in, rows * out, messages.size());
    }

    /** Waits (up to a minute) until no task of the group's jobs runs any more. */
    private static void awaitNoActiveTasks(JavaSparkContext spark, String group) {
        var tracker = spark.statusTracker();
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline) {
            boolean active = false;
            for (int job : tracker.getJobIdsForGroup(group)) {
                var info = tracker.getJobInfo(job);
                if (info == null) continue;
                for (int stage : info.stageIds()) {
                    var stageInfo = tracker.getStageInfo(stage);
                    active |= stageInfo != null && stageInfo.numActiveTasks() > 0;
                }
            }
            if (!active) return;
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /**
     * One task attempt: its partition's batches through the kernel into its own file under {@code temporaryDir}
     * ({@link OutputDirectory#taskFile}'s names).
     */
    private record Task(Options options, Broadcast<Storage> sharedStorage, String temporaryDir, KernelFactory kernels)
            implements FlatMapFunction<Iterator<TensorFilePartition>, TensorCommitMessage> {

        @Override
        public Iterator<TensorCommitMessage> call(Iterator<TensorFilePartition> partitions) {
            TaskContext task = TaskContext.get();
            List<TensorCommitMessage> out = new ArrayList<>();
            // the executor's Arrow memory: the buffers of this task's files go back to the pool for the next task
            try (ArrowMemoryPool.Lease memory = ArrowMemoryPool.shared().lease();
                 TensorFileConverter converter = new TensorFileConverter(options.inputShape(), options.outputShape(), options.batchSize())) {
                BatchKernel kernel = kernels.open(task);
                while (partitions.hasNext()) out.add(convert(partitions.next(), task, kernel, converter, memory));
            } catch (OutOfMemoryError e) { // the buffers are unreachable now: fail the job, not the executor
                throw io.convjob.job.frame.TaskMemory.outOfMemory(e, options.batchSize(), options.inputShape());
            }
            return out.iterator();
        }

        private TensorCommitMessage convert(TensorFilePartition partition, TaskContext task, BatchKernel kernel,
                                            TensorFileConverter converter, ArrowMemoryPool.Lease memory) {
            Path target = new Path(temporaryDir, OutputDirectory.partName(task.partitionId(), task.taskAttemptId()));
            Storage storage = sharedStorage.value();
            try (BufferAllocator allocator = memory.newChildAllocator("convjob " + target.getName());
                 TensorFileReader reader = TensorFileReader.open(storage, new Path(partition.path()), allocator, options.column(), options.inputShape());
                 TensorFileWriter writer = TensorFileWriter.create(storage.createAtomic(target),
                         TensorFileWriter.outputSchema(reader.schema(), options.column(), options.outputShape()), options.column(), allocator,
                         options.compression())) {
                reader.readInSlicesOf(TensorFileReader.SPARK_SLICE_BYTES); // memory bounded whatever the record batch size
                // a cancelled job stops at the next chunk, and close() drops the uncommitted file
                long rows = converter.convert(reader, partition.firstBatch(), partition.batchCount(), writer, (x, n, y) -> {
                    task.killTaskIfInterrupted();
                    kernel.run(x, n, y);
                });
                writer.commit();
                return new TensorCommitMessage(task.partitionId(), task.taskAttemptId(), target.toString(), rows);
            }
        }
    }
}
