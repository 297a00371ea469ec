package io.convjob.spark;

import io.convjob.arrow.TensorFileReader;
import io.convjob.arrow.TensorFileWriter;
import io.convjob.arrow.TensorFormatException;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.UUID;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.util.ArrowUtils;

/**
 * The lean job path: a tensor function applied file to file on Spark, without Spark SQL rows in between. Each
 * task streams the record batches of its input partition (a file, or a range of its batches) straight from Arrow
 * into float buffers, runs the kernel on chunks of {@code batchSize} rows, and writes Arrow with the tensor column
 * replaced and every other column copied vector to vector. Output goes through {@link TensorCommitter}: one file per
 * partition is committed, whatever tasks were retried or speculated.
 */
public final class TensorFileJob {
    private TensorFileJob() {}

    /** Creates the per-task kernel on the executor (e.g. from a broadcast model). */
    public interface KernelFactory extends Serializable {
        BatchKernel open(TaskContext task);
    }

    /** {@code y[0 .. rows * out) = f(x[0 .. rows * in))}, rows of the input and output sample shapes. */
    public interface BatchKernel {
        void run(float[] x, int rows, float[] y);
    }

    /**
     * @param paths       input files, directories or globs of Arrow IPC tensor files
     * @param column      the tensor column
     * @param inputShape  one row's shape, as the files declare it
     * @param outputShape the kernel's output shape per row
     * @param batchSize   rows per kernel call
     * @param output      the output directory (created; must hold no data files unless the caller cleared it)
     */
    public record Options(List<String> paths, String column, int[] inputShape, int[] outputShape, int batchSize,
                          String output) implements Serializable {}

    /** What was committed: rows and bytes of tensor data read and written, and the number of part files. */
    public record Result(long rows, long tensorBytesIn, long tensorBytesOut, int files) {}

    public static Result run(JavaSparkContext spark, Options options, KernelFactory kernels) {
        List<TensorFilePartition> partitions = TensorScanPlanner.plan(new TensorSourceOptions(options.paths(),
                options.column(), options.inputShape(), Integer.MAX_VALUE, TensorSourceOptions.DEFAULT_ROWS_PER_BATCH,
                false)).partitions();
        TensorCommitter committer = new TensorCommitter(Path.of(options.output()).toAbsolutePath().toString(),
                "convjob-" + UUID.randomUUID());
        List<TensorCommitMessage> messages;
        String group = committer.queryId();
        spark.setJobGroup(group, "convjob file-to-file", true);
        try {
            messages = spark.parallelize(partitions, Math.max(1, partitions.size()))
                    .mapPartitions(new Task(options, committer, kernels)).collect();
        } catch (Exception e) { // Spark's SparkException is checked but undeclared; rethrown as is
            // a failed job's other tasks may still be running: stop them before deleting what they wrote
            spark.cancelJobGroup(group);
            awaitNoActiveTasks(spark, group);
            committer.abort(List.of());
            throw e;
        } finally {
            spark.clearJobGroup();
        }
        committer.commit(messages, false);
        long rows = messages.stream().mapToLong(TensorCommitMessage::rows).sum();
        long in = elements(options.inputShape()) * Float.BYTES;
        long out = elements(options.outputShape()) * Float.BYTES;
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

    private static long elements(int[] shape) {
        long n = 1;
        for (int d : shape) n *= d;
        return n;
    }

    /** One task attempt: its partition's batches through the kernel into its own file under _temporary. */
    private record Task(Options options, TensorCommitter committer, KernelFactory kernels)
            implements FlatMapFunction<Iterator<TensorFilePartition>, TensorCommitMessage> {

        @Override
        public Iterator<TensorCommitMessage> call(Iterator<TensorFilePartition> partitions) {
            TaskContext task = TaskContext.get();
            List<TensorCommitMessage> out = new ArrayList<>();
            BatchKernel kernel = kernels.open(task);
            while (partitions.hasNext()) out.add(convert(partitions.next(), task, kernel));
            return out.iterator();
        }

        private TensorCommitMessage convert(TensorFilePartition partition, TaskContext task, BatchKernel kernel) {
            Path target = committer.taskFile(task.partitionId(), task.taskAttemptId());
            int inElements = Math.toIntExact(elements(options.inputShape()));
            int outElements = Math.toIntExact(elements(options.outputShape()));
            long rows = 0;
            try (BufferAllocator allocator = ArrowUtils.rootAllocator().newChildAllocator("convjob " + target.getFileName(), 0, Long.MAX_VALUE);
                 TensorFileReader reader = TensorFileReader.open(Path.of(partition.path()), allocator, options.column(), options.inputShape());
                 TensorFileWriter writer = TensorFileWriter.create(target, reader.schema(), options.column(), options.outputShape(), allocator)) {
                int chunk = options.batchSize();
                float[] x = new float[Math.multiplyExact(chunk, inElements)];
                float[] y = new float[Math.multiplyExact(chunk, outElements)];
                float[] batchOut = new float[0];
                int batches = partition.batchCount();
                for (int b = 0; batches < 0 ? reader.loadNextBatch() : b < batches; b++) {
                    task.killTaskIfInterrupted(); // the job was cancelled: stop, and let close() drop the file
                    if (batches >= 0) reader.loadBatch(partition.firstBatch() + b);
                    int n = reader.batchRows();
                    if (batchOut.length < n * outElements) batchOut = new float[Math.multiplyExact(n, outElements)];
                    for (int from = 0; from < n; from += chunk) {
                        int count = Math.min(chunk, n - from);
                        copyChecked(reader, from, count, x);
                        kernel.run(x, count, y);
                        System.arraycopy(y, 0, batchOut, from * outElements, count * outElements);
                    }
                    writer.writeBatch(reader.root(), batchOut, 0);
                    rows += n;
                }
                writer.commit();
            }
            return new TensorCommitMessage(task.partitionId(), task.taskAttemptId(), target.toString(), rows);
        }

        /** Copies rows for the kernel; a bad row fails the task naming the file and the row's id. */
        private void copyChecked(TensorFileReader reader, int from, int count, float[] x) {
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

        /** The reader's reason without its own file and row prefix: {@code column 'tensor' is null}. */
        private static String detail(String message, String column) {
            int at = message.indexOf("column '" + column + "'");
            return at < 0 ? message : message.substring(at);
        }
    }
}
