package io.convjob.job.input;

import io.convjob.ShapeException;
import io.convjob.error.InputException;
import io.convjob.format.TensorFormat;
import io.convjob.spark.ArrowTensorSource;
import io.convjob.spark.TensorSchemas;
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
import org.apache.spark.sql.types.StructType;

import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/**
 * The job's input: a DataFrame with a tensor column, and the sample shape every row must have. Parquet is read in a
 * session of its own (the caller's settings, the read batch sized to the tensors: {@link ParquetReadBatch}); local
 * Parquet without vectored reads ({@link ParquetVectoredReads}).
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
    /** The helper column naming each row's file (for messages and _rejected), dropped from the output. */
    public static final String FILE_COLUMN = "__convjob_file";

    /**
     * Reads {@code path} (a directory, a file or a glob; any Hadoop path) through the storage seam.
     *
     * @param format          the storage, or null to tell from the path (Parquet if it names or holds .parquet files)
     * @param shape           the sample shape to use, or null to take it from the input's metadata
     * @param allowIncomplete read a directory that holds unfinished output (see {@link OutputDirectory})
     */
    public static TensorInput read(SparkSession spark, Storage storage, String path, TensorFormat format, String column,
            int[] shape, boolean allowIncomplete) {
        Configuration conf = storage.configuration();
        TensorFormat resolved = format(storage, path, format);
        Dataset<Row> frame;
        SparkSession parquetSession = null;
        ParquetFooterSchema footer = null;
        if (resolved == TensorFormat.PARQUET) {
            if (!allowIncomplete) refuseIncomplete(storage, path);
            if (!Storage.isGlob(path) && !storage.exists(storage.path(path))) {
                throw new InputException("--input " + path + ": no such file or directory");
            }
            parquetSession = ParquetReadBatch.session(spark);
            footer = ParquetFooterSchema.of(parquetSession, storage, path);
            frame = readParquet(parquetSession, path, footer, ParquetVectoredReads.optionFor(spark, storage, path));
        } else {
            frame = spark.read().format(ArrowTensorSource.SHORT_NAME).option("column", column)
                    .option(TensorSourceOptions.ALLOW_INCOMPLETE, String.valueOf(allowIncomplete))
                    .option(TensorSourceOptions.FILE_COLUMN, FILE_COLUMN).load(path);
        }
        StructField field = tensorField(frame.schema(), column, path);
        int[] declared = resolved != TensorFormat.PARQUET ? TensorSchemas.shapeOf(field)
                : footer != null ? ParquetTensorShape.fromFooter(footer.file(), footer.keyValues(), column)
                : parquetShape(conf, frame, column);
        int[] sampleShape = resolveShape(path, column, shape, declared);
        if (parquetSession != null) ParquetReadBatch.sizeFor(parquetSession, io.convjob.Tensor.elementCount(sampleShape));
        return new TensorInput(frame, column, sampleShape, resolved);
    }

    /**
     * Spark's Parquet reader, given the schema from {@code footer} when there is one (no schema-inference job), else
     * inferring it; a file that is not Parquet is bad input naming the file.
     *
     * @param vectoredReads the value of {@link ParquetVectoredReads#ENABLED} for this read, or null for the session's
     */
    private static Dataset<Row> readParquet(SparkSession spark, String path, ParquetFooterSchema footer, String vectoredReads) {
        org.apache.spark.sql.DataFrameReader reader = spark.read();
        if (vectoredReads != null) reader = reader.option(ParquetVectoredReads.ENABLED, vectoredReads);
        try {
            return footer == null ? reader.parquet(path) : reader.schema(footer.schema()).parquet(path);
        } catch (Exception e) { // Spark throws its checked SparkException undeclared
            InputException bad = ParquetFooterSchema.notParquet(path, e);
            if (bad != null) throw bad;
            throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
        }
    }

    /** Frees what reading kept (the persisted image rows of {@code --on-bad-row skip}); the frame stays usable. */
    public void release() {
        frame.unpersist();
    }

    /** The storage of {@code path}: {@code given} if not null, else Parquet if it names or holds .parquet files. */
    public static TensorFormat format(Storage storage, String path, TensorFormat given) {
        TensorFormat resolved = given != null ? given : detect(storage, path);
        if (!READABLE.contains(resolved)) {
            throw new InputException(path + ": the job reads " + TensorFormat.names(READABLE) + ", not " + resolved.optionName());
        }
        return resolved;
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

    private static TensorFormat detect(Storage storage, String path) {
        if (TensorFormat.PARQUET.matches(path)) return TensorFormat.PARQUET;
        Path p = storage.path("--input", path);
        if (Storage.isGlob(path)) return TensorFormat.ARROW;
        FileStatus status = storage.status(p);
        if (status == null) throw new InputException("--input " + path + ": no such file or directory");
        if (!status.isDirectory()) return TensorFormat.ARROW;
        return storage.list(p).stream().anyMatch(f -> TensorFormat.PARQUET.matches(f.getPath().getName())) ? TensorFormat.PARQUET : TensorFormat.ARROW;
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
