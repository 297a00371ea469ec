package io.convjob.job.input;

import io.convjob.ShapeException;
import io.convjob.error.InputException;
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

import java.io.IOException;
import java.util.Arrays;

/**
 * The job's input: a DataFrame with a tensor column, and the sample shape every row must have.
 *
 * @param frame       the rows as read
 * @param column      the tensor column
 * @param sampleShape {@code (channels, *spatial)} of one row's tensor
 * @param format      how it was stored
 */
public record TensorInput(Dataset<Row> frame, String column, int[] sampleShape, InputFormat format) {

    /** The Spark data source that reads and writes Arrow IPC tensor files. */
    public static final String ARROW_SOURCE = "arrow-tensor";

    /**
     * Reads {@code path} (a directory, a file or a glob).
     *
     * @param format the storage, or null to tell from the path (Parquet if it names or holds .parquet files)
     * @param shape  the sample shape to use, or null to take it from the input's metadata
     */
    public static TensorInput read(SparkSession spark, String path, InputFormat format, String column, int[] shape) {
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        InputFormat resolved = format != null ? format : detect(conf, path);
        Dataset<Row> frame = resolved == InputFormat.PARQUET ? spark.read().parquet(path)
                : spark.read().format(ARROW_SOURCE).option("column", column).load(path);
        StructField field = tensorField(frame, column, path);
        int[] declared = resolved == InputFormat.PARQUET ? parquetShape(conf, frame, column) : TensorColumns.shapeOf(field);
        int[] sampleShape = resolveShape(path, column, shape, declared);
        return new TensorInput(frame, column, sampleShape, resolved);
    }

    private static InputFormat detect(Configuration conf, String path) {
        if (path.endsWith(".parquet")) return InputFormat.PARQUET;
        try {
            Path p = new Path(path);
            FileSystem fs = p.getFileSystem(conf);
            FileStatus[] parquet = fs.globStatus(new Path(p, "*.parquet"));
            return parquet != null && parquet.length > 0 ? InputFormat.PARQUET : InputFormat.ARROW;
        } catch (IOException e) {
            return InputFormat.ARROW; // the reader will name the problem with the path
        }
    }

    private static StructField tensorField(Dataset<Row> frame, String column, String path) {
        StructField field = Arrays.stream(frame.schema().fields()).filter(f -> f.name().equals(column)).findFirst()
                .orElseThrow(() -> new InputException(path + ": no column '" + column + "', columns are "
                        + Arrays.toString(frame.columns())));
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
