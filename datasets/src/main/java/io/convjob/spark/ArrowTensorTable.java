package io.convjob.spark;

import java.util.EnumSet;
import java.util.Set;
import org.apache.spark.sql.connector.catalog.SupportsRead;
import org.apache.spark.sql.connector.catalog.TableCapability;
import org.apache.spark.sql.connector.read.ScanBuilder;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;

/**
 * A directory (or files, or a glob) of tensor files as a table for batch reads. It offers no V2 write on purpose:
 * Spark then sends every write, in every save mode, to {@link ArrowTensorSource}'s V1 path ({@link TensorWrite}).
 */
final class ArrowTensorTable implements SupportsRead {
    private static final Set<TableCapability> CAPABILITIES = EnumSet.of(TableCapability.BATCH_READ);

    private final StructType schema;
    private final TensorSourceOptions options;
    private final TensorScanPlanner plan;

    /** @param plan the input as planned for the schema, or null to plan when scanned (a write, a given schema) */
    ArrowTensorTable(StructType schema, TensorSourceOptions options, TensorScanPlanner plan) {
        this.schema = schema;
        this.options = options;
        this.plan = plan;
    }

    @Override
    public String name() {
        return ArrowTensorSource.SHORT_NAME + " " + options.paths();
    }

    @Override
    public StructType schema() {
        return schema;
    }

    @Override
    public Set<TableCapability> capabilities() {
        return CAPABILITIES;
    }

    @Override
    public ScanBuilder newScanBuilder(CaseInsensitiveStringMap scanOptions) {
        return new ArrowTensorScanBuilder(ArrowTensorSource.storage(), options, plan);
    }

}
