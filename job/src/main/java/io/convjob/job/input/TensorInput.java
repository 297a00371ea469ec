package io.convjob.job.input;

import io.convjob.ShapeException;
import io.convjob.error.InputException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import io.convjob.spark.TensorSourceOptions;
import io.convjob.storage.OutputDirectory;
import io.convjob.storage.Storage;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;

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
    /** The helper column naming each row's file (for messages and _rejected), dropped from the output. */
    public static final String FILE_COLUMN = "__convjob_file";

    /**
     * Reads {@code path} (a directory, a file or a glob; any Hadoop path) through the storage seam.
     *
     * @param format          the storage, or null to tell from the path (Parquet if it names or holds .parquet files)
     * @param shape           the sample shape to use, or null to take it from the input's metadata
     * @param allowIncomplete read a directory that holds unfinished output (see {@link OutputDirectory})
     */
    public static TensorInput read(SparkSession spark, Storage storage, String path, InputFormat format, String column,
            int[] shape, boolean allowIncomplete) {
        Configuration conf = storage.configuration();
        InputFormat resolved = format != null ? format : detect(storage, path);
        Dataset<Row> frame;
        if (resolved == InputFormat.PARQUET) {
            if (!allowIncomplete) refuseIncomplete(storage, path);
            if (!Storage.isGlob(path) && !storage.exists(storage.path(path))) {
                throw new InputException("--input " + path + ": no such file or directory");
            }
            frame = spark.read().parquet(path);
        } else {
            frame = spark.read().format(ARROW_SOURCE).option("column", column)
                    .option(TensorSourceOptions.ALLOW_INCOMPLETE, String.valueOf(allowIncomplete))
                    .option(TensorSourceOptions.FILE_COLUMN, FILE_COLUMN).load(path);
        }
        StructField field = tensorField(frame, column, path);
        int[] declared = resolved == InputFormat.PARQUET ? parquetShape(conf, frame, column) : TensorColumns.shapeOf(field);
        int[] sampleShape = resolveShape(path, column, shape, declared);
        return new TensorInput(frame, column, sampleShape, resolved);
    }

    private static InputFormat detect(Storage storage, String path) {
        if (path.endsWith(".parquet")) return InputFormat.PARQUET;
        Path p = storage.path("--input", path);
        if (Storage.isGlob(path)) return InputFormat.ARROW;
        FileStatus status = storage.status(p);
        if (status == null) throw new InputException("--input " + path + ": no such file or directory");
        if (!status.isDirectory()) return InputFormat.ARROW;
        return storage.glob(new Path(p, "*.parquet")).isEmpty() ? InputFormat.ARROW : InputFormat.PARQUET;
    }

    private static void refuseIncomplete(Storage storage, String path) {
        if (Storage.isGlob(path)) return;
        Path p = storage.path("--input", path);
        if (!storage.isDirectory(p)) return;
        String reason = OutputDirectory.incompleteReason(storage.list(p));
        if (reason != null) {
            throw new InputException("--input " + path + ": " + reason
                    + " (a job is writing it or failed; read it anyway with --allow-incomplete-input)");
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
