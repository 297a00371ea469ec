package io.convjob.spark;

import java.util.Map;
import org.apache.spark.sql.connector.catalog.Table;
import org.apache.spark.sql.connector.catalog.TableProvider;
import org.apache.spark.sql.connector.expressions.Transform;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SQLContext;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.sources.BaseRelation;
import org.apache.spark.sql.sources.CreatableRelationProvider;
import org.apache.spark.sql.sources.DataSourceRegister;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;

/**
 * The {@code arrow-tensor} data source (DataSource V2): directories of Arrow IPC tensor files as DataFrames.
 *
 * <p>Read: {@code spark.read.format("arrow-tensor").load(dirOrFileOrGlob)}; the tensor column becomes
 * {@code array<float>} with its shape in the field metadata.
 *
 * <p>Write: {@code df.write.format("arrow-tensor").mode(m).save(dir)} in every save mode, as Spark's own file sources
 * (see {@link TensorWrite}). Writes take the V1 path ({@link CreatableRelationProvider}): Spark 4.2 sends a path-based
 * V2 write only in modes append and overwrite and refuses errorifexists (its default) and ignore before the source is
 * asked; a table without V2 write support makes it fall back to this provider's V1 write in every mode.
 */
public final class ArrowTensorSource implements TableProvider, DataSourceRegister, CreatableRelationProvider {
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
    public BaseRelation createRelation(SQLContext sqlContext, SaveMode mode, scala.collection.immutable.Map<String, String> parameters,
            Dataset<Row> data) {
        TensorSourceOptions options = TensorSourceOptions.parse(scala.jdk.javaapi.CollectionConverters.asJava(parameters));
        TensorWrite.save(storage(), options, mode, data);
        StructType schema = data.schema();
        return new BaseRelation() { // Spark only asks it for the schema (to refresh cached plans reading the path)
            @Override public SQLContext sqlContext() { return sqlContext; }
            @Override public StructType schema() { return schema; }
        };
    }

    @Override
    public synchronized Table getTable(StructType schema, Transform[] partitioning, Map<String, String> properties) {
        TensorSourceOptions options = TensorSourceOptions.parse(properties);
        boolean planned = options.equals(plannedOptions) && schema.equals(plan.schema());
        return new ArrowTensorTable(schema, options, planned ? plan : null);
    }
}
