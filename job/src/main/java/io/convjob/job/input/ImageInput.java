package io.convjob.job.input;

import io.convjob.format.TensorFormat;
import io.convjob.image.ImagePreprocessor;
import io.convjob.spark.image.ImageSourceOptions;
import io.convjob.spark.image.ImageTensorSource;
import io.convjob.spec.ModelSpec;
import io.convjob.spec.SpecException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Image files as tensor rows for the job, through the {@code image-tensor} source: listed on the driver through the
 * storage seam (any Hadoop path), read, decoded and preprocessed in the executors; one row per file, {@code id} its
 * path, the tensor column {@code (C, H, W)} from the spec's {@code preprocess} section.
 */
public final class ImageInput {
    private ImageInput() {}

    /** With {@code --on-bad-row skip}: why a file gave no tensor (null for good files); dropped before the model. */
    public static final String REASON_COLUMN = "__convjob_reason";
    /** Each row's file path: the column the job names in messages about a row. */
    public static final String ID_COLUMN = ImageTensorSource.ID_COLUMN;

    /**
     * @param keepBad true to give a bad file a row with a null tensor and its reason; false to fail on it. The rows
     *                are then read by two passes (the model's and {@code _rejected}'s), so the frame is persisted:
     *                each image is decoded once; {@link TensorInput#release()} frees it
     * @throws SpecException if the spec has no usable {@code preprocess} section
     */
    public static TensorInput read(SparkSession spark, String path, ModelSpec spec, String column, boolean keepBad,
            boolean allowIncomplete) {
        ImagePreprocessor preprocessor = ImagePreprocessor.forModel(spec);
        // the parsed preprocessing as the source's options, so the spec is not parsed again
        var reader = spark.read().format(ImageTensorSource.SHORT_NAME)
                .options(ImageSourceOptions.preprocessOptions(preprocessor.preprocess()))
                .option(ImageSourceOptions.COLUMN, column)
                .option(ImageSourceOptions.ALLOW_INCOMPLETE, allowIncomplete);
        if (keepBad) reader = reader.option(ImageSourceOptions.REASON_COLUMN, REASON_COLUMN);
        Dataset<Row> rows = reader.load(path);
        if (keepBad) rows = rows.persist();
        return new TensorInput(rows, column, preprocessor.outputShape(), TensorFormat.IMAGE);
    }
}
