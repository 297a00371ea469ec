package io.convjob.spark;

import org.apache.spark.sql.connector.read.Batch;
import org.apache.spark.sql.connector.read.InputPartition;
import org.apache.spark.sql.connector.read.PartitionReaderFactory;
import org.apache.spark.sql.connector.read.Scan;
import org.apache.spark.sql.connector.read.ScanBuilder;
import org.apache.spark.sql.types.StructType;

/** Scan builder, scan and batch in one while nothing is pushed down: plans partitions once, on the driver. */
final class ArrowTensorScanBuilder implements ScanBuilder, Scan, Batch {
    private final io.convjob.storage.Storage storage;
    private final TensorSourceOptions options;
    private TensorScanPlanner plan;

    /** @param plan the input already planned for this table, or null */
    ArrowTensorScanBuilder(io.convjob.storage.Storage storage, TensorSourceOptions options, TensorScanPlanner plan) {
        this.storage = storage;
        this.options = options;
        this.plan = plan;
    }

    private TensorScanPlanner plan() {
        if (plan == null) plan = TensorScanPlanner.plan(storage, options);
        return plan;
    }

    @Override
    public Scan build() {
        return this;
    }

    @Override
    public StructType readSchema() {
        return plan().schema();
    }

    @Override
    public String description() {
        return ArrowTensorSource.SHORT_NAME + " " + options.paths() + " column=" + options.column();
    }

    @Override
    public Batch toBatch() {
        return this;
    }

    @Override
    public InputPartition[] planInputPartitions() {
        return plan().partitions().toArray(new InputPartition[0]);
    }

    @Override
    public PartitionReaderFactory createReaderFactory() {
        return new TensorReaderFactory(storage, options.column(), options.shape(), options.fileColumn() != null);
    }
}
