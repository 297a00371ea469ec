package io.convjob.spark.image;

import java.util.EnumSet;
import java.util.Set;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.connector.catalog.SupportsRead;
import org.apache.spark.sql.connector.catalog.TableCapability;
import org.apache.spark.sql.connector.read.Batch;
import org.apache.spark.sql.connector.read.InputPartition;
import org.apache.spark.sql.connector.read.PartitionReaderFactory;
import org.apache.spark.sql.connector.read.Scan;
import org.apache.spark.sql.connector.read.ScanBuilder;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;

/** The listed image files as a read-only table; its scan splits them into tasks on the driver. */
final class ImageTensorTable implements SupportsRead, ScanBuilder, Scan, Batch {
    /** Tasks per core at least, when there are enough files: small images would otherwise leave cores idle. */
    private static final int TASKS_PER_CORE = 3;

    private final ImageTensorSource.ImageScanPlan plan;

    ImageTensorTable(ImageTensorSource.ImageScanPlan plan) {
        this.plan = plan;
    }

    @Override
    public String name() {
        return ImageTensorSource.SHORT_NAME + " " + plan.options().paths();
    }

    @Override
    public StructType schema() {
        return plan.schema();
    }

    @Override
    public Set<TableCapability> capabilities() {
        return EnumSet.of(TableCapability.BATCH_READ);
    }

    @Override
    public ScanBuilder newScanBuilder(CaseInsensitiveStringMap options) {
        return this;
    }

    @Override
    public Scan build() {
        return this;
    }

    @Override
    public StructType readSchema() {
        return plan.schema();
    }

    @Override
    public String description() {
        return name() + " " + plan.files().size() + " files, " + plan.options().preprocessor().preprocess();
    }

    @Override
    public Batch toBatch() {
        return this;
    }

    @Override
    public InputPartition[] planInputPartitions() {
        int cores = SparkSession.active().sparkContext().defaultParallelism();
        return ImageFiles.partitions(plan.files(), plan.options().filesPerPartition(), TASKS_PER_CORE * cores)
                .toArray(new InputPartition[0]);
    }

    @Override
    public PartitionReaderFactory createReaderFactory() {
        return new ImageReaderFactory(plan.storage(), plan.options().preprocessor(), plan.options().reasonColumn() != null);
    }
}
