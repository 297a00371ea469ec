package io.convjob.job.input;

import io.convjob.ShapeException;
import io.convjob.error.InputException;
import io.convjob.format.TensorFormat;
import io.convjob.spark.ArrowTensorSource;
import io.convjob.spark.TensorSchemas;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.io.IOException;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/**
 * The job's input: a DataFrame with a tensor column, and the sample shape every row must have.
 *
 * @param frame       the rows as read
 * @param column      the tensor column
 * @param sampleShape {@code (channels, *spatial)} of one row's tensor
 * @param format      how it was stored
 */
public record TensorInput(Dataset<Row> frame, String column, int[] sampleShape, TensorFormat format) {

    /** The formats the job reads. */
    public static final Set<TensorFormat> READABLE = Collections.unmodifiableSet(EnumSet.of(TensorFormat.ARROW,
            TensorFormat.PARQUET, TensorFormat.IMAGE));

    /**
     * Reads {@code path} (a directory, a file or a glob).
     *
     * @param format the storage, or null to tell from the path (Parquet if it names or holds .parquet files)
     * @param shape  the sample shape to use, or null to take it from the input's metadata
     */
    public static TensorInput read(SparkSession spark, String path, TensorFormat format, String column, int[] shape) {
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        TensorFormat resolved = format(spark, path, format);
        Dataset<Row> frame = resolved == TensorFormat.PARQUET ? spark.read().parquet(path)
                : spark.read().format(ArrowTensorSource.SHORT_NAME).option("column", column).load(path);
        StructField field = tensorField(frame.schema(), column, path);
        int[] declared = resolved == TensorFormat.PARQUET ? parquetShape(conf, frame, column) : TensorSchemas.shapeOf(field);
        int[] sampleShape = resolveShape(path, column, shape, declared);
        return new TensorInput(frame, column, sampleShape, resolved);
    }

    /** The storage of {@code path}: {@code given} if not null, else Parquet if it names or holds .parquet files. */
    public static TensorFormat format(SparkSession spark, String path, TensorFormat given) {
        TensorFormat format = given != null ? given : detect(spark.sparkContext().hadoopConfiguration(), path);
        if (!READABLE.contains(format)) {
            throw new InputException(path + ": the job reads " + TensorFormat.names(READABLE) + ", not "
                    + format.optionName());
        }
        return format;
    }

    /**
     * The sample shape of tensor files whose Spark schema is {@code schema} (as the {@code arrow-tensor} source
     * plans them), checked as {@link #read} checks it.
     *
     * @param given the sample shape to use, or null to take the declared one
     */
    public static int[] sampleShape(StructType schema, String path, String column, int[] given) {
        return resolveShape(path, column, given, TensorSchemas.shapeOf(tensorField(schema, column, path)));
    }

    private static TensorFormat detect(Configuration conf, String path) {
        if (TensorFormat.PARQUET.matches(path)) return TensorFormat.PARQUET;
        try {
            Path p = new Path(path);
            FileSystem fs = p.getFileSystem(conf);
            FileStatus[] parquet = fs.listStatus(p, f -> TensorFormat.PARQUET.matches(f.getName()));
            return parquet.length > 0 ? TensorFormat.PARQUET : TensorFormat.ARROW;
        } catch (IOException e) {
            return TensorFormat.ARROW; // the reader will name the problem with the path
        }
    }

    private static StructField tensorField(StructType schema, String column, String path) {
        StructField field = Arrays.stream(schema.fields()).filter(f -> f.name().equals(column)).findFirst()
                .orElseThrow(() -> new InputException(path + ": no column '" + column + "', columns are "
                        + Arrays.toString(schema.fieldNames())));
        if (!(field.dataType() instanceof ArrayType array) || !isNumeric(array)) {
            throw new InputException(path + ": column '" + column + "' must be a list of float, got "
                    + field.dataType().simpleString());
        }
        return field;
    }

    private static boolean isNumeric(ArrayType array) {
        return array.elementType().equals(DataTypes.FloatType) || array.elementType().equals(DataTypes.DoubleType);
    }

    private static int[] parquetShape(Configuration conf, Dataset<Row> frame, String column) {
        String[] files = frame.inputFiles();
        return files.length == 0 ? null : ParquetTensorShape.read(conf, files[0], column);
    }

    private static int[] resolveShape(String path, String column, int[] given, int[] declared) {
        if (given != null && declared != null && !Arrays.equals(given, declared)) {
            throw new ShapeException(path + ": column '" + column + "' has shape " + Arrays.toString(declared)
                    + ", --shape says " + Arrays.toString(given));
        }
        int[] shape = given != null ? given : declared;
        if (shape == null) {
            throw new ShapeException(path + ": column '" + column + "' declares no tensor shape; give --shape C,D1,...");
        }
        return shape.clone();
    }
}
