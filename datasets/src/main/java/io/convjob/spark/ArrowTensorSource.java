package io.convjob.spark;

import java.util.Map;
import org.apache.spark.sql.connector.catalog.Table;
import org.apache.spark.sql.connector.catalog.TableProvider;
import org.apache.spark.sql.connector.expressions.Transform;
import org.apache.spark.sql.sources.DataSourceRegister;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;

/**
 * The {@code arrow-tensor} data source (DataSource V2): directories of Arrow IPC tensor files as DataFrames.
 *
 * <p>Read: {@code spark.read.format("arrow-tensor").load(dirOrFileOrGlob)}; the tensor column becomes
 * {@code array<float>} with its shape in the field metadata.
 *
 * <p>Write: {@code df.write.format("arrow-tensor").mode("overwrite" | "append").save(dir)}. Spark 4.2 sends a
 * path-based V2 write only in these two modes (overwrite through {@code TRUNCATE}); {@code errorifexists} (the
 * DataFrameWriter default) and {@code ignore} are refused by Spark itself with {@code UNSUPPORTED_DATA_SOURCE_SAVE_MODE}
 * before the source is asked (only catalog-backed sources get them). For "fail if output exists", write with mode
 * append and option {@code errorIfExists=true}.
 */
public final class ArrowTensorSource implements TableProvider, DataSourceRegister {
    public static final String SHORT_NAME = "arrow-tensor";

    @Override
    public String shortName() {
        return SHORT_NAME;
    }

    @Override
    public StructType inferSchema(CaseInsensitiveStringMap options) {
        return TensorScanPlanner.plan(storage(), TensorSourceOptions.parse(options)).schema();
    }

    /** The storage seam with the active session's Hadoop configuration ({@code spark.hadoop.*} included). */
    static io.convjob.storage.Storage storage() {
        return io.convjob.storage.Storage.of(org.apache.spark.sql.SparkSession.active().sparkContext().hadoopConfiguration());
    }

    /** Spark passes the DataFrame's schema on write and the inferred (or user) schema on read. */
    @Override
    public boolean supportsExternalMetadata() {
        return true;
    }

    @Override
    public Table getTable(StructType schema, Transform[] partitioning, Map<String, String> properties) {
        return new ArrowTensorTable(schema, TensorSourceOptions.parse(properties));
    }
}
