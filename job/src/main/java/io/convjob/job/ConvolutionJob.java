package io.convjob.job;

import io.convjob.error.InputException;
import io.convjob.format.TensorFormat;
import io.convjob.job.frame.ConvPartitionFunction;
import io.convjob.job.frame.DriverPlan;
import io.convjob.job.frame.Convolutions;
import io.convjob.job.frame.JobCounters;
import io.convjob.job.input.TensorInput;
import io.convjob.job.model.ModelPayload;
import io.convjob.job.model.PreparedModel;
import io.convjob.job.model.SpecText;
import io.convjob.job.model.WeightsLoader;
import io.convjob.spec.ModelSpec;
import io.convjob.storage.OutputDirectory;
import io.convjob.storage.Storage;
import org.apache.hadoop.fs.FileStatus;
import io.convjob.spark.ArrowTensorSource;
import io.convjob.spark.TensorParquetFormat;
import io.convjob.spark.TensorFilePartition;
import io.convjob.spark.TensorScanPlanner;
import io.convjob.spark.TensorSchemas;
import io.convjob.spark.TensorSourceOptions;
import io.convjob.job.input.ImageInput;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.input_file_name;
import static org.apache.spark.sql.functions.monotonically_increasing_id;

/**
 * {@code convjob run}: reads tensor rows, applies the model in batches on the executors and writes Arrow IPC tensor
 * files through the {@code arrow-tensor} data source, whose commit protocol ships each partition exactly once.
 */
public final class ConvolutionJob {

    /** Where {@code --on-bad-row=skip} records the rows it leaves out (JSON lines: id, file, reason). */
    public static final String REJECTED_DIR = OutputDirectory.REJECTED;
    static final String FILE_COLUMN = TensorInput.FILE_COLUMN;
    /** The formats {@code run} writes ({@code --output-format}). */
    public static final java.util.Set<TensorFormat> WRITABLE =
            java.util.Collections.unmodifiableSet(java.util.EnumSet.of(TensorFormat.ARROW, TensorFormat.PARQUET));
    /** Parquet output's tensor type: nullable elements, as pyarrow's fixed_shape_tensor storage has them. */
    private static final org.apache.spark.sql.types.ArrayType PARQUET_TENSOR_TYPE =
            org.apache.spark.sql.types.DataTypes.createArrayType(org.apache.spark.sql.types.DataTypes.FloatType, true);

    private final WeightsLoader weightsLoader;

    public ConvolutionJob(WeightsLoader weightsLoader) {
        this.weightsLoader = weightsLoader;
    }

    /** Runs in a session of its own (stopped at the end), as the CLI does. */
    public static JobSummary run(JobOptions options) {
        return run(options, WeightsLoader.standard());
    }

    /** As {@link #run(JobOptions)}, reading the weights with {@code weightsLoader}. */
    public static JobSummary run(JobOptions options, WeightsLoader weightsLoader) {
        SparkSession spark;
        // local mode: the tasks run in this JVM, so its JIT can compile the kernels while Spark starts (seconds of
        // mostly one busy core)
        try (KernelWarmUp warmUp = warmUpForLocalMode(options)) {
            spark = session(options);
        }
        try {
            return new ConvolutionJob(weightsLoader).run(spark, options);
        } finally {
            clearProgressBar(spark);
            spark.stop();
        }
    }

    /**
     * A warm-up of the spec's model when the master is local and the spec a plain local file; else none. It goes on
     * with the input's own row length once the first input file's schema gives it (read on the warm-up's thread): at
     * 64x64 the stack's stride-2 layers run other kernels than on the small sample.
     */
    private static KernelWarmUp warmUpForLocalMode(JobOptions options) {
        String master = options.master() != null ? options.master() : System.getProperty("spark.master", "local[*]");
        if (!master.startsWith("local") || options.weights() != null) return KernelWarmUp.none();
        try {
            java.nio.file.Path spec = Storage.standard().plainLocalFile(new Path(options.spec()));
            return spec == null ? KernelWarmUp.none() : KernelWarmUp.startFromSpec(spec, () -> inputShape(options));
        } catch (RuntimeException e) { // a bad --spec path: the run reports it
            return KernelWarmUp.none();
        }
    }

    /**
     * The input's sample shape: {@code --shape}, else the first file's of local Arrow input; null for other inputs (a
     * remote store is left to the job, which reads it with the session's settings).
     */
    private static int[] inputShape(JobOptions options) {
        if (options.shape() != null) return options.shape();
        if (options.inputFormat() == TensorFormat.IMAGE || options.inputFormat() == TensorFormat.PARQUET) return null;
        String scheme = new Path(options.input()).toUri().getScheme();
        if (scheme != null && !scheme.equals("file")) return null;
        return TensorScanPlanner.firstFileShape(Storage.standard(), TensorSourceOptions.forPaths(
                List.of(options.input()), options.column(), null, options.allowIncompleteInput()));
    }

    /**
     * The session for a run: the master from the options, else the one spark-submit set, else {@code local[*]};
     * Spark's console progress bar on.
     */
    public static SparkSession session(JobOptions options) {
        SparkConf conf = new SparkConf().setAppName("convjob run").set("spark.ui.showConsoleProgress", "true");
        if (options.master() != null) conf.setMaster(options.master());
        else if (!conf.contains("spark.master")) conf.setMaster("local[*]");
        options.sparkConf().forEach(conf::set);
        shipApplicationJar(conf);
        try {
            return SparkSession.builder().config(conf).getOrCreate();
        } catch (Exception e) { // Spark throws its checked SparkException undeclared
            if (String.valueOf(e.getMessage()).startsWith("Could not parse Master URL")) {
                throw new InputException("--master " + conf.get("spark.master") + ": not a Spark master URL"
                        + " (local, local[N], local[*], spark://HOST:PORT, yarn, k8s://HOST:PORT)");
            }
            throw e instanceof RuntimeException r ? r : new JobFailedException(e);
        }
    }

    /**
     * Spark draws its console progress bar on stderr and clears it only after a job that succeeded: clear it here, so
     * an error line after a failed job starts on a fresh line instead of after {@code [Stage 0:> (0 + 1) / 2]}.
     */
    private static void clearProgressBar(SparkSession spark) {
        scala.Option<org.apache.spark.ui.ConsoleProgressBar> bar = spark.sparkContext().progressBar();
        if (bar.isDefined()) {
            bar.get().stop();
            bar.get().finishAll();
        }
    }

    /**
     * Started by {@code ./convjob} against a cluster (not spark-submit, which ships the jar itself): send the thin
     * application jar to the executors, so {@code ./convjob run --master spark://...} works as it is.
     */
    private static void shipApplicationJar(SparkConf conf) {
        String home = System.getProperty("convjob.home");
        if (home == null || conf.contains("spark.jars") || conf.get("spark.master").startsWith("local")) return;
        java.io.File[] jars = new java.io.File(home, "job/target").listFiles((d, n) -> n.endsWith("-spark.jar"));
        if (jars == null || jars.length != 1) return;
        // the jars CONVJOB_CLASSPATH added to the driver (e.g. hadoop-aws) are needed by the executors too
        String extra = System.getenv().getOrDefault("CONVJOB_CLASSPATH", "").replace(':', ',');
        conf.set("spark.jars", jars[0].getAbsolutePath() + (extra.isBlank() ? "" : "," + extra));
    }

    /**
     * Runs in the given session. Every path goes through the storage seam (local, hdfs://, s3a://, any Hadoop
     * scheme); paths, the output directory's safety and the model are checked before the output is touched, and the
     * output is replaced only by the commit of a job whose tasks all finished ({@link OutputDirectory}).
     *
     * @throws InputException for a bad path, spec, weights, input shape or row, or an existing output without overwrite
     */
    public JobSummary run(SparkSession spark, JobOptions options) {
        long start = System.nanoTime();
        Storage storage = Storage.of(spark.sparkContext().hadoopConfiguration());
        Path input = storage.path("--input", options.input());
        Path output = storage.path("--output", options.output());
        if (options.weights() != null) storage.path("--weights", options.weights());
        String specJson = SpecText.read(storage, options.spec());
        OutputDirectory.checkSeparate(storage, output, options.output(), input, options.input());
        FileStatus existing = storage.status(output);
        if (existing != null && !existing.isDirectory()) {
            throw new InputException("--output " + options.output() + ": is a file, not a directory");
        }
        if (existing != null && !options.overwrite()) throw new OutputExistsException(options.output());

        TensorFormat format = options.inputFormat() == TensorFormat.IMAGE ? TensorFormat.IMAGE
                : TensorInput.format(storage, options.input(), options.inputFormat());
        if (isFileToFile(format, options)) {
            // planned here, once: the files' schemas give the sample shape, the partitions feed the tasks
            TensorScanPlanner plan = TensorScanPlanner.planOutsideSql(storage, TensorSourceOptions.forPaths(
                    List.of(options.input()), options.column(), options.shape(), options.allowIncompleteInput()));
            int[] sampleShape = TensorInput.sampleShape(plan.schema(), options.input(), options.column(), options.shape());
            ModelSpec spec = SpecText.parse(specJson);
            int batch = DriverPlan.check(spark.sparkContext(), spec, sampleShape, options.batchSize()).batchRows();
            PreparedModel model = PreparedModel.prepare(specJson, spec, options.weights(), weightsLoader, storage, sampleShape);
            return inOutput(storage, output, out -> runFileToFile(spark, storage, plan.partitions(), out, options, model, batch, start));
        }
        ModelSpec spec = SpecText.parse(specJson); // once: image input reads its preprocess section, the model the rest
        TensorInput in = format == TensorFormat.IMAGE
                ? ImageInput.read(spark, options.input(), spec, options.column(), options.onBadRow() == BadRowPolicy.SKIP,
                        options.allowIncompleteInput())
                : TensorInput.read(spark, storage, options.input(), format, options.column(),
                        options.shape(), options.allowIncompleteInput());
        int batch = DriverPlan.check(spark.sparkContext(), spec, in.sampleShape(), options.batchSize()).batchRows();
        PreparedModel model = PreparedModel.prepare(specJson, spec, options.weights(), weightsLoader, storage, in.sampleShape());
        return inOutput(storage, output, out -> runFrame(spark, out, options, in, model, batch, start));
    }

    /** Claims the output directory for one job, runs it, and aborts the claim if the job fails. */
    private static JobSummary inOutput(Storage storage, Path output, java.util.function.Function<OutputDirectory, JobSummary> job) {
        OutputDirectory out = OutputDirectory.claim(storage, output, "convjob-" + UUID.randomUUID());
        try {
            return job.apply(out);
        } catch (RuntimeException e) {
            out.abort();
            throw e;
        }
    }

    /**
     * Arrow files in, every row kept, partitions as the files give them: the lean path, Arrow to Arrow without Spark
     * SQL rows in between. Parquet input, {@code --on-bad-row skip} and {@code --partitions} take the DataFrame path.
     */
    private static boolean isFileToFile(TensorFormat format, JobOptions options) {
        return format == TensorFormat.ARROW && options.onBadRow() == BadRowPolicy.FAIL && options.partitions() <= 0
                && options.outputFormat() == TensorFormat.ARROW;
    }

    private JobSummary runFileToFile(SparkSession spark, Storage storage, List<TensorFilePartition> partitions,
            OutputDirectory out, JobOptions options, PreparedModel model, int batchSize, long start) {
        Broadcast<ModelPayload> payload = Convolutions.broadcast(spark, model);
        boolean failFirst = failFirstAttempt(spark);
        ModelKernels kernels = new ModelKernels(payload, spark.sparkContext().applicationId(), model.inputShape(),
                Convolutions.taskThreads(spark), failFirst);
        try {
            TensorFileJob.Result result = TensorFileJob.run(JavaSparkContext.fromSparkContext(spark.sparkContext()),
                    storage, partitions, out, options.overwrite(),
                    new TensorFileJob.Options(options.column(), model.inputShape(), model.outputShape(),
                            batchSize, options.compression()), kernels);
            double seconds = (System.nanoTime() - start) / 1e9;
            return new JobSummary(options.output(), result.rows(), 0, result.tensorBytesIn(), result.tensorBytesOut(),
                    seconds, model.macsPerSample(), model.inputShape(), model.outputShape());
        } catch (Exception e) { // Spark throws its checked SparkException undeclared
            throw inputCause(e);
        } finally {
            payload.destroy();
        }
    }

    /**
     * The DataFrame path: rows through {@code mapPartitions}, written by the {@code arrow-tensor} source into the
     * job's temporary directory, {@code _rejected} beside them; then one commit moves both into place.
     */
    private JobSummary runFrame(SparkSession spark, OutputDirectory out, JobOptions options, TensorInput input,
            PreparedModel model, int batchSize, long start) {
        Dataset<Row> rows = input.frame();
        if (input.format() == TensorFormat.PARQUET) rows = rows.withColumn(FILE_COLUMN, input_file_name());
        if (input.format() == TensorFormat.IMAGE) rows = rows.withColumn(FILE_COLUMN, col(ImageInput.ID_COLUMN));
        if (options.partitions() > 0) rows = spread(rows, options.partitions());
        Column bad = badRow(options.column(), model);
        if (options.onBadRow() == BadRowPolicy.SKIP) rows = rows.filter(bad.unary_$bang());
        rows = rows.drop(ImageInput.REASON_COLUMN);

        JobCounters counters = JobCounters.register(spark.sparkContext());
        Broadcast<ModelPayload> payload = Convolutions.broadcast(spark, model);
        boolean failFirst = failFirstAttempt(spark);
        Dataset<Row> result = Convolutions.convolve(rows, payload, model, options.column(), options.column(),
                batchSize, Convolutions.taskThreads(spark), counters, failFirst, FILE_COLUMN, options.input(),
                options.outputFormat() == TensorFormat.PARQUET ? PARQUET_TENSOR_TYPE : TensorSchemas.TENSOR_TYPE);
        Storage storage = out.storage();
        Path data = new Path(out.temporaryDir(), "data");
        try {
            Map<Path, String> staged = new LinkedHashMap<>();
            long rejected = 0;
            if (options.onBadRow() == BadRowPolicy.SKIP) {
                Path rejectedDir = new Path(out.temporaryDir(), OutputDirectory.REJECTED);
                rejected = writeRejected(spark, input, bad, model, options, rejectedDir);
                staged.put(rejectedDir, OutputDirectory.REJECTED);
            }
            write(result, options, data);
            for (FileStatus file : storage.list(data)) {
                if (OutputDirectory.isDataFileName(file.getPath().getName())) staged.put(file.getPath(), file.getPath().getName());
            }
            out.commit(staged, options.overwrite());
            double seconds = (System.nanoTime() - start) / 1e9;
            return new JobSummary(options.output(), counters.rows().value(), rejected, counters.bytesIn().value(),
                    counters.bytesOut().value(), seconds, model.macsPerSample(), model.inputShape(), model.outputShape());
        } catch (Exception e) { // Spark throws its checked SparkException undeclared
            throw inputCause(e);
        } finally {
            payload.destroy();
            input.release();
        }
    }

    /**
     * {@code --partitions N}: the rows hashed over N partitions by their position in the input. Spark's
     * {@code repartition(N)} (round robin) first sorts every partition by a hash of each whole row, to deal rows out the
     * same way when a task is retried: for tensor rows that is a Murmur3 pass over every value and a sort of the rows.
     * The position ({@code monotonically_increasing_id}: partition and row index, the same in a retry, since files
     * are read in order) is as deterministic, and hashing it costs nothing.
     */
    static Dataset<Row> spread(Dataset<Row> rows, int partitions) {
        String position = "__convjob_position";
        List<String> columns = Arrays.asList(rows.columns());
        return rows.withColumn(position, monotonically_increasing_id()).repartition(partitions, col(position))
                .select(columns.stream().map(c -> col(quoted(c))).toArray(Column[]::new));
    }

    /**
     * Arrow IPC tensor files, or Parquet with the shape in its {@code ARROW:schema} (plus, with {@code --vector}, the
     * output as a Spark ML vector column), into the job's temporary {@code data} directory.
     */
    private static void write(Dataset<Row> result, JobOptions options, Path data) {
        if (options.outputFormat() == TensorFormat.ARROW) {
            result.write().format(ArrowTensorSource.SHORT_NAME).option(TensorSourceOptions.COLUMN, options.column())
                    .option(TensorSourceOptions.COMPRESSION, options.compression().optionName()).mode(SaveMode.Append)
                    .save(data.toString());
            return;
        }
        if (options.vector()) {
            if (Arrays.asList(result.columns()).contains(JobOptions.VECTOR_COLUMN)) {
                throw new InputException("--vector: the input has a column '" + JobOptions.VECTOR_COLUMN + "' already");
            }
            result = result.withColumn(JobOptions.VECTOR_COLUMN, org.apache.spark.ml.functions.array_to_vector(col(options.column())));
        }
        result.write().format(TensorParquetFormat.SHORT_NAME).mode(SaveMode.Append).save(data.toString());
    }

    /**
     * The test-only fault injection, see {@link ConvPartitionFunction#FAIL_FIRST_ATTEMPT}: set in the context's conf
     * or as a local property of the calling thread. Not read from the session's SQL conf, whose first read builds Spark
     * SQL's shared state, which the file-to-file path never needs ({@link TensorScanPlanner#planOutsideSql}).
     */
    private static boolean failFirstAttempt(SparkSession spark) {
        org.apache.spark.SparkContext context = spark.sparkContext();
        return context.getConf().getBoolean(ConvPartitionFunction.FAIL_FIRST_ATTEMPT, false)
                || Boolean.parseBoolean(context.getLocalProperty(ConvPartitionFunction.FAIL_FIRST_ATTEMPT));
    }

    /** True for a null tensor, a null element or a length other than the sample shape's element count. */
    private static Column badRow(String column, PreparedModel model) {
        String c = quoted(column);
        return expr(c + " IS NULL OR size(" + c + ") != " + model.inputElements() + " OR exists(" + c + ", v -> v IS NULL)");
    }

    private static long writeRejected(SparkSession spark, TensorInput input, Column bad, PreparedModel model,
            JobOptions options, Path dir) {
        String c = quoted(options.column());
        Column reason = expr((hasColumn(input, ImageInput.REASON_COLUMN) ? "coalesce(" + ImageInput.REASON_COLUMN + ", " : "(")
                + "CASE WHEN " + c + " IS NULL THEN 'is null'"
                + " WHEN size(" + c + ") != " + model.inputElements() + " THEN concat('has ', size(" + c + "), ' values, expected "
                + model.inputElements() + " for shape " + Arrays.toString(model.inputShape()) + "')"
                + " ELSE 'holds a null value' END)");
        List<Column> columns = new ArrayList<>();
        if (Arrays.asList(input.frame().columns()).contains(Convolutions.ID_COLUMN)) columns.add(col(Convolutions.ID_COLUMN));
        // an image row's id is its file
        columns.add((input.format() == TensorFormat.PARQUET ? input_file_name()
                : input.format() == TensorFormat.IMAGE ? col(ImageInput.ID_COLUMN) : col(FILE_COLUMN)).as("file"));
        columns.add(reason.as("reason"));
        Dataset<Row> rejected = input.frame().filter(bad).select(columns.toArray(Column[]::new));
        rejected.write().mode(SaveMode.Overwrite).json(dir.toString());
        return spark.read().schema(rejected.schema()).json(dir.toString()).count();
    }

    private static boolean hasColumn(TensorInput input, String column) {
        return Arrays.asList(input.frame().columns()).contains(column);
    }

    private static String quoted(String column) {
        return "`" + column.replace("`", "``") + "`";
    }

    /** The bad-input exception a task threw, if that is what failed the job; else {@code e} (unchecked). */
    static RuntimeException inputCause(Exception e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof InputException input) return input;
        }
        return e instanceof RuntimeException r ? r : new JobFailedException(e);
    }
}
