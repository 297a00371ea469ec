package io.convjob.spark;

import io.convjob.arrow.FixedShapeTensorType;
import io.convjob.error.InputException;
import io.convjob.storage.OutputDirectory;
import io.convjob.storage.Storage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.apache.hadoop.fs.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.spark.SparkContext;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaFutureAction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.types.StructType;

/**
 * {@code df.write.format("arrow-tensor").mode(m).save(dir)}, every {@link SaveMode} as Spark's file sources treat it:
 * {@code ErrorIfExists} (the default) refuses an existing path, {@code Ignore} leaves it alone and writes nothing,
 * {@code Append} adds files, {@code Overwrite} replaces the directory's data files. A write claims the directory
 * ({@link OutputDirectory}: a second writer fails), each task attempt writes its own file under {@code _temporary},
 * and the driver commits exactly one file per partition (the attempt whose result Spark kept) after every task
 * finished; a failed write leaves the old output as it was.
 */
final class TensorWrite {
    private TensorWrite() {}

    /** Writes {@code data} (its schema's tensor metadata included) as the options say; returns true if it wrote. */
    static boolean save(Storage storage, TensorSourceOptions options, SaveMode mode, Dataset<Row> data) {
        if (options.paths().size() != 1) throw new InputException("arrow-tensor: write needs exactly one path, got " + options.paths());
        String given = options.paths().get(0);
        Path dir = storage.qualify(storage.path(given));
        if (storage.exists(dir)) {
            if (mode == SaveMode.ErrorIfExists) {
                throw new InputException("arrow-tensor: path " + given + " already exists (save mode errorifexists, Spark's"
                        + " default); use mode(\"overwrite\") or mode(\"append\")");
            }
            if (mode == SaveMode.Ignore) return false;
        }
        if (options.errorIfExists() && TensorFiles.hasDataFiles(storage, dir)) {
            throw new InputException("arrow-tensor: output path " + given + " already holds Arrow files (errorIfExists=true)");
        }
        String jobId = "arrow-tensor-" + UUID.randomUUID();
        TensorWriteJob job = plan(storage, options, dir, jobId, data.schema(),
                data.sparkSession().conf().get("spark.sql.session.timeZone"));
        OutputDirectory output = OutputDirectory.claim(storage, dir, jobId);
        boolean committed = false;
        try {
            List<TensorCommitMessage> messages = runTasks(data, job);
            new TensorCommitter(output).commit(new ArrayList<>(messages), mode == SaveMode.Overwrite);
            committed = true;
            return true;
        } finally {
            if (!committed) output.abort();
        }
    }

    /**
     * Runs one task per partition and returns the messages Spark kept (one per partition). When the job fails, waits
     * until its other tasks have ended (they are being killed and drop their files), so the abort that follows
     * leaves nothing behind; then rethrows Spark's exception as it is.
     */
    private static List<TensorCommitMessage> runTasks(Dataset<Row> data, TensorWriteJob job) {
        SparkContext context = data.sparkSession().sparkContext();
        try (JobTaskCounter counter = JobTaskCounter.listen(context)) {
            JavaFutureAction<List<TensorCommitMessage>> tasks = data.queryExecution().toRdd().toJavaRDD()
                    .mapPartitions(rows -> List.of(writeTask(job, rows)).iterator()).collectAsync();
            try {
                return tasks.get();
            } catch (ExecutionException e) {
                awaitTasks(counter, tasks.jobIds());
                throw TensorWrite.<RuntimeException>rethrow(e.getCause());
            } catch (InterruptedException e) {
                tasks.cancel(true);
                awaitTasks(counter, tasks.jobIds());
                Thread.currentThread().interrupt();
                throw new InputException("arrow-tensor write to " + job.directory() + ": interrupted");
            }
        }
    }

    /** Bounded: a task that ignores being killed must not hang the caller; its file is then the abort's to miss. */
    private static void awaitTasks(JobTaskCounter counter, List<Integer> jobIds) {
        try {
            counter.awaitEnded(jobIds, 30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @SuppressWarnings("unchecked")
    private static <T extends Throwable> T rethrow(Throwable t) throws T {
        throw (T) t; // Spark's SparkException is checked but thrown undeclared by every action
    }

    /**
     * What every task needs, resolved on the driver: the tensor column and its type (option {@code shape}, else the
     * column's {@value TensorSchemas#SHAPE_KEY} metadata).
     */
    static TensorWriteJob plan(Storage storage, TensorSourceOptions options, Path dir, String jobId, StructType schema,
            String timeZone) {
        int index = TensorSchemas.tensorIndex(schema, options.column());
        FixedShapeTensorType fromMetadata = TensorSchemas.tensorTypeOf(schema.fields()[index]);
        FixedShapeTensorType type;
        if (options.shape() != null) {
            type = fromMetadata != null ? fromMetadata.withShape(options.shape()) : options.shapeType();
        } else if (fromMetadata != null) {
            type = fromMetadata;
        } else {
            throw new InputException("arrow-tensor: no shape for column '" + options.column()
                    + "': set option shape (e.g. [3,16,16]) or the column metadata '" + TensorSchemas.SHAPE_KEY + "'");
        }
        if (!type.isRowMajor()) {
            throw new InputException("arrow-tensor: column '" + options.column() + "' has permutation "
                    + Arrays.toString(type.permutation()) + "; only row-major tensors can be written");
        }
        return new TensorWriteJob(storage, dir.toString(), jobId, schema, options.column(), type.serialize(),
                options.rowsPerBatch() > 0 ? options.rowsPerBatch() : TensorSourceOptions.defaultRowsPerBatch(type.elementCount()),
                timeZone, options.compression());
    }

    /** One task attempt: its rows into its own file under {@code _temporary}; the message names the file. */
    static TensorCommitMessage writeTask(TensorWriteJob job, java.util.Iterator<InternalRow> rows) {
        TaskContext task = TaskContext.get();
        TensorDataWriter writer = new TensorDataWriter(job, task.partitionId(), task.taskAttemptId());
        try {
            while (rows.hasNext()) writer.write(rows.next());
            return writer.commit();
        } catch (RuntimeException | Error e) {
            writer.abort();
            throw e;
        } finally {
            writer.close();
        }
    }
}
