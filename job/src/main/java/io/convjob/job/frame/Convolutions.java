package io.convjob.job.frame;

import io.convjob.ShapeException;
import io.convjob.error.InputException;
import io.convjob.job.model.ModelCache;
import io.convjob.job.model.ModelPayload;
import io.convjob.job.model.PreparedModel;
import io.convjob.job.model.SpecText;
import io.convjob.job.model.WeightsLoader;
import io.convjob.spark.TensorSchemas;
import io.convjob.spec.ModelSpec;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Applies a model to a DataFrame's {@code array<float>} tensor column, batching rows per partition. */
public final class Convolutions {
    private Convolutions() {}

    /** The column named in messages about a bad row, when the frame has it. */
    public static final String ID_COLUMN = "id";

    /** Replaces column {@code tensor} by the model's output; the shape comes from the column's metadata. */
    public static Dataset<Row> apply(Dataset<Row> df, String specJson) {
        return apply(df, specJson, ConvOptions.defaults());
    }

    /**
     * Applies the model; the result column is {@code array<float>} with the output shape in its metadata.
     *
     * @throws InputException if the spec, the weights or the input shape is wrong (checked here, on the driver)
     */
    public static Dataset<Row> apply(Dataset<Row> df, String specJson, ConvOptions options) {
        return apply(df, specJson, SpecText.parse(specJson), options);
    }

    /** As {@link #apply(Dataset, String, ConvOptions)} with the spec already parsed from {@code specJson}. */
    public static Dataset<Row> apply(Dataset<Row> df, String specJson, ModelSpec spec, ConvOptions options) {
        StructField field = field(df.schema(), options.inputCol());
        if (!(field.dataType() instanceof ArrayType)) {
            throw new InputException("column '" + options.inputCol() + "' must be array<float>, got "
                    + field.dataType().simpleString());
        }
        int[] shape = options.inputShape() != null ? options.inputShape() : TensorSchemas.shapeOf(field);
        if (shape == null) {
            throw new ShapeException("column '" + options.inputCol() + "' has no shape in its metadata; give the input shape");
        }
        // the executors' memory, checked here on the driver before any weights are read
        int batch = DriverPlan.check(df.sparkSession().sparkContext(), spec, shape, options.batchSize()).batchRows();
        PreparedModel model = PreparedModel.prepare(specJson, spec, options.weights(), WeightsLoader.standard(),
                io.convjob.storage.Storage.of(df.sparkSession().sparkContext().hadoopConfiguration()), shape);
        Broadcast<ModelPayload> payload = broadcast(df.sparkSession(), model);
        return convolve(df, payload, model, options.inputCol(), options.outputCol(), batch,
                interactiveThreads(df.sparkSession()), null, false, null, "input");
    }

    /**
     * Broadcasts the model's spec JSON and weights, and files the driver's model under the broadcast, so tasks in
     * this JVM (local mode) reuse it and executors elsewhere parse the spec once each.
     */
    public static Broadcast<ModelPayload> broadcast(SparkSession spark, PreparedModel model) {
        Broadcast<ModelPayload> payload = JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(model.payload());
        ModelCache.register(spark.sparkContext().applicationId(), payload, model.model());
        return payload;
    }

    /** Kernel threads per task inside a job: {@code spark.task.cpus}, so one-thread speed is what a cluster sees. */
    public static int taskThreads(SparkSession spark) {
        return spark.sparkContext().getConf().getInt("spark.task.cpus", 1);
    }

    /**
     * Kernel threads per task for the DataFrame API: in local mode (a notebook) a batch spreads over all cores,
     * since few partitions would otherwise leave cores idle; on a cluster, {@code spark.task.cpus}.
     */
    static int interactiveThreads(SparkSession spark) {
        return spark.sparkContext().isLocal() ? Runtime.getRuntime().availableProcessors() : taskThreads(spark);
    }

    /**
     * The plan shared by the job and the Transformer.
     *
     * @param fileCol a helper column naming each row's file, last in {@code df} and dropped from the output; or null
     * @param source  what to name as the file when there is no file column (or it is empty)
     */
    public static Dataset<Row> convolve(Dataset<Row> df, Broadcast<ModelPayload> payload, PreparedModel model, String inputCol,
            String outputCol, int batchSize, int threads, JobCounters counters, boolean failFirstAttempt, String fileCol,
            String source) {
        return convolve(df, payload, model, inputCol, outputCol, batchSize, threads, counters, failFirstAttempt, fileCol,
                source, TensorSchemas.TENSOR_TYPE);
    }

    /**
     * @param resultType the output column's type: {@link TensorSchemas#TENSOR_TYPE}, or {@code array<float>} with nullable
     *                   elements for Parquet that pyarrow reads as {@code fixed_shape_tensor} (whose storage items are
     *                   nullable); Spark's optimizer drops a cast that only widens nullability, so it is set here
     */
    public static Dataset<Row> convolve(Dataset<Row> df, Broadcast<ModelPayload> payload, PreparedModel model, String inputCol,
            String outputCol, int batchSize, int threads, JobCounters counters, boolean failFirstAttempt, String fileCol,
            String source, ArrayType resultType) {
        StructType schema = df.schema();
        int tensorIndex = schema.fieldIndex(inputCol);
        int fileIndex = fileCol == null ? -1 : schema.fieldIndex(fileCol);
        if (fileIndex >= 0 && fileIndex != schema.size() - 1) throw new IllegalArgumentException("file column must be last");
        int kept = fileIndex >= 0 ? schema.size() - 1 : schema.size();
        int idIndex = Arrays.asList(schema.fieldNames()).indexOf(ID_COLUMN);
        TensorLayout layout = new TensorLayout(tensorIndex, inputCol, inputCol.equals(outputCol), kept,
                idIndex >= kept ? -1 : idIndex, fileIndex, source);
        StructType outSchema = outputSchema(new StructType(Arrays.copyOf(schema.fields(), kept)), inputCol, outputCol,
                model.outputShape(), resultType);

        ConvPartitionFunction function = new ConvPartitionFunction(payload,
                df.sparkSession().sparkContext().applicationId(), schema, model.inputShape(), model.outputShape(),
                layout, batchSize, threads, counters, failFirstAttempt);
        // Spark's internal rows in and out (no Row objects, no boxed floats); the new frame's schema is outSchema
        // itself, so every column keeps its metadata
        RDD<InternalRow> rows = df.queryExecution().toRdd().toJavaRDD().mapPartitions(function).rdd();
        return ((org.apache.spark.sql.classic.SparkSession) df.sparkSession()).internalCreateDataFrame(rows, outSchema, false);
    }

    /**
     * The schema a model's result gives {@code schema}: every column as it is (metadata included), and the result
     * column, non-null {@code resultType} with the output shape in its metadata, replacing {@code inputCol} (its other
     * metadata kept) when {@code outputCol} equals it, else appended. {@code ConvTransformer.transformSchema} and the
     * frames made here share it.
     *
     * @throws InputException if {@code outputCol} is another column that exists already
     */
    public static StructType outputSchema(StructType schema, String inputCol, String outputCol, int[] outputShape,
            ArrayType resultType) {
        boolean replace = inputCol.equals(outputCol);
        if (!replace && Arrays.asList(schema.fieldNames()).contains(outputCol)) {
            throw new InputException("output column '" + outputCol + "' exists already");
        }
        int tensorIndex = schema.fieldIndex(inputCol);
        StructField result = new StructField(outputCol, resultType, false,
                TensorSchemas.withShape(replace ? schema.fields()[tensorIndex].metadata() : Metadata.empty(), outputShape));
        List<StructField> fields = new ArrayList<>(Arrays.asList(schema.fields()));
        if (replace) fields.set(tensorIndex, result);
        else fields.add(result);
        return new StructType(fields.toArray(StructField[]::new));
    }

    private static StructField field(StructType schema, String name) {
        return Arrays.stream(schema.fields()).filter(f -> f.name().equals(name)).findFirst()
                .orElseThrow(() -> new InputException("no column '" + name + "', columns are " + Arrays.toString(schema.fieldNames())));
    }
}
