package io.convjob.spark;

import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.connector.read.InputPartition;
import org.apache.spark.sql.connector.read.PartitionReader;
import org.apache.spark.sql.connector.read.PartitionReaderFactory;
import org.apache.spark.sql.vectorized.ColumnarBatch;

/** Executor side: one columnar reader per partition. Carries the storage seam, the column name and optional shape. */
final class TensorReaderFactory implements PartitionReaderFactory {
    private final io.convjob.storage.Storage storage;
    private final String column;
    private final int[] shape;
    private final boolean withFileColumn;

    TensorReaderFactory(io.convjob.storage.Storage storage, String column, int[] shape, boolean withFileColumn) {
        this.storage = storage;
        this.column = column;
        this.shape = shape == null ? null : shape.clone();
        this.withFileColumn = withFileColumn;
    }

    @Override
    public boolean supportColumnarReads(InputPartition partition) {
        return true;
    }

    @Override
    public PartitionReader<ColumnarBatch> createColumnarReader(InputPartition partition) {
        return new TensorPartitionReader(storage, (TensorFilePartition) partition, column, shape, withFileColumn);
    }

    /** Columnar only: every partition supports columnar reads, so Spark never asks for rows. */
    @Override
    public PartitionReader<InternalRow> createReader(InputPartition partition) {
        throw new UnsupportedOperationException("arrow-tensor reads are columnar only");
    }
}
