package io.convjob.spark;

import java.util.EnumSet;
import java.util.Set;
import org.apache.spark.sql.connector.catalog.SupportsRead;
import org.apache.spark.sql.connector.catalog.SupportsWrite;
import org.apache.spark.sql.connector.catalog.TableCapability;
import org.apache.spark.sql.connector.read.ScanBuilder;
import org.apache.spark.sql.connector.write.LogicalWriteInfo;
import org.apache.spark.sql.connector.write.WriteBuilder;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;

/** A directory (or files, or a glob) of tensor files as a table: batch reads, batch writes, truncate on overwrite. */
final class ArrowTensorTable implements SupportsRead, SupportsWrite {
    private static final Set<TableCapability> CAPABILITIES =
            EnumSet.of(TableCapability.BATCH_READ, TableCapability.BATCH_WRITE, TableCapability.TRUNCATE);

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

    @Override
    public WriteBuilder newWriteBuilder(LogicalWriteInfo info) {
        return new TensorWriteBuilder(info, options);
    }
}
