package io.convjob.spark.image;

import io.convjob.spark.TensorSchemas;
import io.convjob.storage.Storage;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FileStatus;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.connector.catalog.Table;
import org.apache.spark.sql.connector.catalog.TableProvider;
import org.apache.spark.sql.connector.expressions.Transform;
import org.apache.spark.sql.sources.DataSourceRegister;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;

/**
 * The {@code image-tensor} data source: image files as model input rows, decoded and preprocessed in the executors.
 *
 * <pre>
 * spark.read().format("image-tensor").option("spec", specJsonOrPath).load("s3a://bucket/photos/")
 * spark.read().format("image-tensor").option("resize", "256").option("center_crop", "224").option("channels", "RGB")
 *     .option("mean", "[0.485, 0.456, 0.406]").option("std", "[0.229, 0.224, 0.225]").load(dir)
 * </pre>
 *
 * One row per file: {@code id} (the file's path) and the tensor column {@code (C, H, W)} as {@code array<float>}
 * with its shape in the field metadata, as the {@code arrow-tensor} source gives it (so {@code Convolutions.apply} and
 * {@code ConvTransformer} take it as it is). The files are listed once, on the driver, when the frame is made
 * ({@link ImageFiles}); a bad path fails there with one line.
 */
public final class ImageTensorSource implements TableProvider, DataSourceRegister {
    public static final String SHORT_NAME = "image-tensor";
    /** Each row's file path. */
    public static final String ID_COLUMN = "id";

    // As arrow-tensor: Spark asks for the schema, then for the table; the listing made for the schema is reused.
    private Map<String, String> listedOptions;
    private ImageScanPlan plan;

    @Override
    public String shortName() {
        return SHORT_NAME;
    }

    @Override
    public synchronized StructType inferSchema(CaseInsensitiveStringMap options) {
        listedOptions = new HashMap<>(options.asCaseSensitiveMap());
        plan = ImageScanPlan.of(storage(), options.asCaseSensitiveMap());
        return plan.schema();
    }

    @Override
    public synchronized Table getTable(StructType schema, Transform[] partitioning, Map<String, String> properties) {
        boolean listed = plan != null && properties.equals(listedOptions) && schema.equals(plan.schema());
        return new ImageTensorTable(listed ? plan : ImageScanPlan.of(storage(), properties));
    }

    /** The rows' schema: {@code id}, the tensor column with its shape, and the reason column if asked for. */
    static StructType schema(ImageSourceOptions options) {
        boolean keepBad = options.reasonColumn() != null;
        StructType schema = new StructType(new StructField[] {
                new StructField(ID_COLUMN, DataTypes.StringType, false, Metadata.empty()),
                new StructField(options.column(), TensorSchemas.TENSOR_TYPE, keepBad,
                        TensorSchemas.withShape(Metadata.empty(), options.preprocessor().outputShape()))});
        return keepBad ? schema.add(options.reasonColumn(), DataTypes.StringType, true) : schema;
    }

    /** The storage seam with the active session's Hadoop configuration ({@code spark.hadoop.*} included). */
    static Storage storage() {
        return Storage.of(SparkSession.active().sparkContext().hadoopConfiguration());
    }

    /** The listing and options of one load. */
    record ImageScanPlan(ImageSourceOptions options, StructType schema, List<FileStatus> files, Storage storage) {
        static ImageScanPlan of(Storage storage, Map<String, String> rawOptions) {
            ImageSourceOptions options = ImageSourceOptions.parse(rawOptions, storage);
            List<FileStatus> files = ImageFiles.list(storage, options.paths(), options.allowIncomplete());
            return new ImageScanPlan(options, ImageTensorSource.schema(options), files, storage);
        }
    }
}
