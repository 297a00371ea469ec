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

    // A read asks this provider for the schema, then for the table: the plan made for the schema (every file opened
    // once) is handed to that table, so a load plans its input once. Spark makes a provider per load.
    private TensorSourceOptions plannedOptions;
    private TensorScanPlanner plan;

    @Override
    public String shortName() {
        return SHORT_NAME;
    }

    @Override
    public synchronized StructType inferSchema(CaseInsensitiveStringMap options) {
        plannedOptions = TensorSourceOptions.parse(options);
        plan = TensorScanPlanner.plan(storage(), plannedOptions);
        return plan.schema();
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
    public synchronized Table getTable(StructType schema, Transform[] partitioning, Map<String, String> properties) {
        TensorSourceOptions options = TensorSourceOptions.parse(properties);
        boolean planned = options.equals(plannedOptions) && schema.equals(plan.schema());
        return new ArrowTensorTable(schema, options, planned ? plan : null);
    }
}
