package io.convjob.ml;

import io.convjob.ShapeException;
import io.convjob.arrow.TensorFileReader;
import io.convjob.error.InputException;
import io.convjob.job.frame.ConvOptions;
import io.convjob.job.frame.Convolutions;
import io.convjob.job.model.SpecText;
import io.convjob.shape.ModelChecks;
import io.convjob.spark.TensorSchemas;
import io.convjob.spec.ModelSpec;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.IntArrayParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.util.Arrays;

/**
 * Applies a conv model to an {@code array<float>} tensor column, batching rows per partition; the output column is
 * {@code array<float>} with the output sample shape in its metadata. Drops into ML Pipelines; saved and loaded with
 * Spark's default params format (the spec travels as JSON, weights by path).
 */
public final class ConvTransformer extends Transformer implements DefaultParamsWritable {

    private final String uid;
    private final Param<String> spec;
    private final Param<String> weightsPath;
    private final Param<String> inputCol;
    private final Param<String> outputCol;
    private final IntParam batchSize;
    private final IntArrayParam inputShape;
    // the last spec text parsed and its records; transient: a saved or shipped transformer parses again where used
    private transient String parsedJson;
    private transient ModelSpec parsed;

    public ConvTransformer() {
        this(Identifiable$.MODULE$.randomUID("convTransformer"));
    }

    /** Used by {@link DefaultParamsReader} on load. */
    public ConvTransformer(String uid) {
        this.uid = uid;
        this.spec = new Param<>(this, "spec", "the model spec as JSON: one layer or {\"layers\": [...]}");
        this.weightsPath = new Param<>(this, "weightsPath", "a weight file (safetensors, .eqx, .npy; any Hadoop path: local, hdfs://, s3a://, ...) read on the driver;"
                + " unset: weights from the spec's keys");
        this.inputCol = new Param<>(this, "inputCol", "the array<float> tensor column");
        this.outputCol = new Param<>(this, "outputCol", "the result column (array<float>, shape in its metadata)");
        this.batchSize = new IntParam(this, "batchSize", "rows per model call", ParamValidators.gtEq(1));
        this.inputShape = new IntArrayParam(this, "inputShape", "the sample shape (C, D1, ...); unset: from the input"
                + " column's metadata");
        setDefault(inputCol, TensorFileReader.DEFAULT_COLUMN);
        setDefault(outputCol, "output");
        setDefault(batchSize, ConvOptions.DEFAULT_BATCH_SIZE);
    }

    public static MLReader<ConvTransformer> read() {
        return new DefaultParamsReader<>();
    }

    public static ConvTransformer load(String path) {
        return read().load(path);
    }

    // Spark finds params through public no-argument methods returning Param.
    public Param<String> spec() { return spec; }
    public Param<String> weightsPath() { return weightsPath; }
    public Param<String> inputCol() { return inputCol; }
    public Param<String> outputCol() { return outputCol; }
    public IntParam batchSize() { return batchSize; }
    public IntArrayParam inputShape() { return inputShape; }

    public ConvTransformer setSpec(String json) { set(spec, json); return this; }
    public ConvTransformer setWeightsPath(String path) { set(weightsPath, path); return this; }
    public ConvTransformer setInputCol(String name) { set(inputCol, name); return this; }
    public ConvTransformer setOutputCol(String name) { set(outputCol, name); return this; }
    public ConvTransformer setBatchSize(int rows) { set(batchSize, rows); return this; }
    public ConvTransformer setInputShape(int[] shape) { set(inputShape, shape); return this; }

    public String getSpec() { return $(spec); }
    public String getInputCol() { return $(inputCol); }
    public String getOutputCol() { return $(outputCol); }
    public int getBatchSize() { return (Integer) $(batchSize); }
    /** The weight file, or null. */
    public String getWeightsPath() { return isDefined(weightsPath) ? $(weightsPath) : null; }
    /** The declared input shape, or null. */
    public int[] getInputShape() { return isDefined(inputShape) ? $(inputShape) : null; }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        transformSchema(dataset.schema());
        String weights = getWeightsPath();
        ConvOptions options = new ConvOptions(getInputCol(), getOutputCol(), getBatchSize(), getInputShape(), weights);
        return Convolutions.apply(dataset.toDF(), getSpec(), parsedSpec(), options);
    }

    /** The spec param, parsed once per spec text: a pipeline calls transformSchema, then transform. */
    private synchronized ModelSpec parsedSpec() {
        String json = getSpec();
        if (!json.equals(parsedJson)) {
            parsed = SpecText.parse(json);
            parsedJson = json;
        }
        return parsed;
    }

    @Override
    public StructType transformSchema(StructType schema) {
        if (!isDefined(spec)) throw new InputException("ConvTransformer: param 'spec' is not set");
        StructField input = Arrays.stream(schema.fields()).filter(f -> f.name().equals(getInputCol())).findFirst()
                .orElseThrow(() -> new InputException("no column '" + getInputCol() + "', columns are "
                        + Arrays.toString(schema.fieldNames())));
        if (!(input.dataType() instanceof ArrayType)) {
            throw new InputException("column '" + getInputCol() + "' must be array<float>, got " + input.dataType().simpleString());
        }
        int[] shape = getInputShape() != null ? getInputShape() : TensorSchemas.shapeOf(input);
        if (shape == null) {
            throw new ShapeException("column '" + getInputCol() + "' has no shape in its metadata; set inputShape");
        }
        int[] out = ModelChecks.checkInputShape(parsedSpec(), shape);
        return Convolutions.outputSchema(schema, getInputCol(), getOutputCol(), out, TensorSchemas.TENSOR_TYPE);
    }

    @Override
    public ConvTransformer copy(ParamMap extra) {
        return defaultCopy(extra);
    }

    @Override
    public String uid() {
        return uid;
    }
}
