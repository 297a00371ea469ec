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
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
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
            String source, org.apache.spark.sql.types.ArrayType resultType) {
        StructType schema = df.schema();
        int tensorIndex = schema.fieldIndex(inputCol);
        int fileIndex = fileCol == null ? -1 : schema.fieldIndex(fileCol);
        if (fileIndex >= 0 && fileIndex != schema.size() - 1) throw new IllegalArgumentException("file column must be last");
        int kept = fileIndex >= 0 ? schema.size() - 1 : schema.size();
        boolean replace = inputCol.equals(outputCol);
        if (!replace && Arrays.asList(schema.fieldNames()).subList(0, kept).contains(outputCol)) {
            throw new InputException("output column '" + outputCol + "' exists already");
        }
        int idIndex = Arrays.asList(schema.fieldNames()).indexOf(ID_COLUMN);
        TensorLayout layout = new TensorLayout(tensorIndex, inputCol, replace, kept, idIndex >= kept ? -1 : idIndex,
                fileIndex, source);

        StructField result = new StructField(outputCol, resultType, false,
                TensorSchemas.withShape(replace ? schema.fields()[tensorIndex].metadata() : org.apache.spark.sql.types.Metadata.empty(),
                        model.outputShape()));
        List<StructField> fields = new ArrayList<>(Arrays.asList(schema.fields()).subList(0, kept));
        if (replace) fields.set(tensorIndex, result);
        else fields.add(result);
        StructType outSchema = new StructType(fields.toArray(StructField[]::new));

        ConvPartitionFunction function = new ConvPartitionFunction(payload,
                df.sparkSession().sparkContext().applicationId(), model.inputShape(), model.outputShape(),
                layout, batchSize, threads, counters, failFirstAttempt);
        // mapPartitions does not carry field metadata through its serializer: put the shape back on the column
        return df.mapPartitions(function, Encoders.row(outSchema)).withMetadata(outputCol, result.metadata());
    }

    private static StructField field(StructType schema, String name) {
        return Arrays.stream(schema.fields()).filter(f -> f.name().equals(name)).findFirst()
                .orElseThrow(() -> new InputException("no column '" + name + "', columns are " + Arrays.toString(schema.fieldNames())));
    }
}
