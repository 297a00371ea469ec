package io.convjob.job.input;

import io.convjob.format.TensorFormat;
import io.convjob.image.ImageFormatException;
import io.convjob.spark.TensorSchemas;
import io.convjob.image.ImagePreprocessor;
import io.convjob.error.InputException;
import io.convjob.spec.ConvLayerSpec;
import io.convjob.spec.ImageChannels;
import io.convjob.spec.LayerSpec;
import io.convjob.spec.ModelSpec;
import io.convjob.spec.Preprocess;
import io.convjob.spec.SpecException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static org.apache.spark.sql.functions.col;

/**
 * Image files as tensor rows: Spark's {@code binaryFile} source lists and reads the files (any Hadoop file system:
 * local, HDFS, S3), and the executors decode and preprocess them ({@link ImageRowsFunction}): one row per file,
 * {@code id} its path, the tensor column {@code (C, H, W)} from the spec's {@code preprocess} section.
 */
public final class ImageInput {
    private ImageInput() {}

    /** With {@code --on-bad-row skip}: why a file gave no tensor (null for good files); dropped before the model. */
    public static final String REASON_COLUMN = "__convjob_reason";
    /** Each row's file path: the column the job names in messages about a row. */
    public static final String ID_COLUMN = "id";

    /**
     * @param keepBad true to give a bad file a row with a null tensor and its reason; false to fail on it
     * @throws SpecException if the spec has no usable {@code preprocess} section
     */
    public static TensorInput read(SparkSession spark, String path, ModelSpec spec, String column, boolean keepBad) {
        ImagePreprocessor preprocessor = preprocessor(spec);
        Dataset<Row> files = grouped(spark, spark.read().format("binaryFile").load(path).select(col("path"), col("content")));
        StructField tensor = new StructField(column, TensorSchemas.TENSOR_TYPE, true,
                TensorSchemas.withShape(Metadata.empty(), preprocessor.outputShape()));
        StructType schema = new StructType(new StructField[] {
                new StructField(ID_COLUMN, DataTypes.StringType, false, Metadata.empty()), tensor});
        if (keepBad) schema = schema.add(REASON_COLUMN, DataTypes.StringType, true);
        Dataset<Row> rows = files.mapPartitions(new ImageRowsFunction(preprocessor, keepBad), Encoders.row(schema));
        // Spark's file sources skip empty files without a word: find them here, so none is silently dropped
        List<String> empty = emptyFiles(spark.sparkContext().hadoopConfiguration(), path);
        if (!empty.isEmpty()) {
            if (!keepBad) throw new ImageFormatException(empty.get(0), EMPTY_FILE);
            List<Row> rejected = new ArrayList<>();
            for (String file : empty) rejected.add(RowFactory.create(file, null, EMPTY_FILE));
            rows = rows.union(spark.createDataFrame(rejected, schema));
        }
        return new TensorInput(rows.withMetadata(column, tensor.metadata()), column, preprocessor.outputShape(),
                TensorFormat.IMAGE);
    }

    /** Files per task at most when Spark would give each small file a task of its own. */
    static final int FILES_PER_TASK = 64;

    /**
     * Spark gives every file under {@code spark.sql.files.openCostInBytes} (4 MB) a partition of its own, so a folder
     * of small images would be one task per image: merge them (no shuffle) into tasks of up to {@value #FILES_PER_TASK}
     * files, keeping at least three tasks per core.
     */
    private static Dataset<Row> grouped(SparkSession spark, Dataset<Row> files) {
        int partitions = files.rdd().getNumPartitions();
        int target = Math.max(3 * spark.sparkContext().defaultParallelism(), (partitions + FILES_PER_TASK - 1) / FILES_PER_TASK);
        return target < partitions ? files.coalesce(target) : files;
    }

    private static final String EMPTY_FILE = ImageFormatException.EMPTY_FILE;

    /** Zero-byte files among those {@code binaryFile} reads: the glob's files and its directories' visible files. */
    static List<String> emptyFiles(Configuration conf, String path) {
        List<String> empty = new ArrayList<>();
        try {
            Path p = new Path(path);
            FileSystem fs = p.getFileSystem(conf);
            FileStatus[] matched = fs.globStatus(p);
            if (matched == null) return empty;
            for (FileStatus status : matched) {
                FileStatus[] files = status.isDirectory() ? fs.listStatus(status.getPath()) : new FileStatus[] {status};
                for (FileStatus f : files) {
                    String name = f.getPath().getName();
                    boolean hidden = name.startsWith("_") || name.startsWith(".");
                    if (f.isFile() && f.getLen() == 0 && !(hidden && status.isDirectory())) empty.add(f.getPath().toString());
                }
            }
        } catch (IOException e) {
            throw new InputException(path + ": cannot list: " + e.getMessage(), e);
        }
        return empty;
    }

    /** The spec's preprocessing, its channels defaulting to what the first conv layer takes (1 L, 3 RGB, ...). */
    public static ImagePreprocessor preprocessor(ModelSpec spec) {
        Preprocess preprocess = spec.preprocess();
        if (preprocess == null) {
            throw new SpecException("preprocess: missing; image input needs the spec's \"preprocess\" section, e.g."
                    + " {\"resize\": 256, \"center_crop\": 224}");
        }
        if (preprocess.channels() == null) {
            int inChannels = firstInChannels(spec);
            ImageChannels channels = ImageChannels.ofCount(inChannels);
            if (channels == null) {
                throw new SpecException("preprocess.channels: missing, and the first layer's in_channels " + inChannels
                        + " is not 1, 2, 3 or 4; give \"L\", \"LA\", \"RGB\" or \"RGBA\"");
            }
            preprocess = preprocess.withChannels(channels);
        }
        return new ImagePreprocessor(preprocess);
    }

    private static int firstInChannels(ModelSpec spec) {
        for (LayerSpec layer : spec.layers()) {
            if (layer instanceof ConvLayerSpec conv) return conv.inChannels();
        }
        throw new InputException("preprocess.channels: missing, and the spec has no conv layer to take it from");
    }
}
