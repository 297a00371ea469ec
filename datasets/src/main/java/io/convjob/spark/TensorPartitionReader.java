package io.convjob.spark;

import io.convjob.arrow.FixedShapeTensorVector;
import io.convjob.arrow.TensorFileReader;
import io.convjob.storage.Storage;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.execution.vectorized.ConstantColumnVector;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.unsafe.types.UTF8String;
import java.util.List;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.spark.sql.connector.read.PartitionReader;
import org.apache.spark.sql.util.ArrowUtils;
import org.apache.spark.sql.vectorized.ArrowColumnVector;
import org.apache.spark.sql.vectorized.ColumnVector;
import org.apache.spark.sql.vectorized.ColumnarBatch;

/**
 * Reads one partition's record batches as ColumnarBatches over the Arrow buffers (no copy): Spark's
 * ArrowColumnVector for ordinary columns, {@link TensorColumnVector} for the FixedSizeList tensor column. The
 * vectors belong to the file reader, which {@link #close()} releases.
 */
final class TensorPartitionReader implements PartitionReader<ColumnarBatch> {
    private final TensorFilePartition partition;
    private final TensorFileReader reader;
    private final boolean withFileColumn;
    private int batchesRead;
    private ColumnarBatch current;

    TensorPartitionReader(Storage storage, TensorFilePartition partition, String column, int[] shape, boolean withFileColumn) {
        this.partition = partition;
        this.withFileColumn = withFileColumn;
        this.reader = TensorFileReader.open(storage, new Path(partition.path()), ArrowUtils.rootAllocator(), column, shape);
        reader.readInSlicesOf(TensorFileReader.SPARK_SLICE_BYTES); // a huge record batch arrives as several ColumnarBatches
    }

    @Override
    public boolean next() {
        if (partition.batchCount() == TensorFilePartition.WHOLE_STREAM) {
            if (!reader.loadNextBatch()) return false;
        } else if (!reader.loadNextSlice()) {
            if (batchesRead == partition.batchCount()) return false;
            reader.loadBatch(partition.firstBatch() + batchesRead);
            batchesRead++;
        }
        current = wrap();
        return true;
    }

    private ColumnarBatch wrap() {
        List<FieldVector> vectors = reader.root().getFieldVectors();
        ColumnVector[] columns = new ColumnVector[vectors.size() + (withFileColumn ? 1 : 0)];
        for (int i = 0; i < vectors.size(); i++) {
            FieldVector v = vectors.get(i);
            if (i == reader.columnIndex() && v instanceof FixedShapeTensorVector t) {
                columns[i] = new TensorColumnVector(t.getUnderlyingVector());
            } else if (i == reader.columnIndex() && v instanceof FixedSizeListVector f) {
                columns[i] = new TensorColumnVector(f);
            } else {
                columns[i] = new ArrowColumnVector(v);
            }
        }
        if (withFileColumn) { // the file of every row: one constant per batch
            ConstantColumnVector file = new ConstantColumnVector(reader.batchRows(), DataTypes.StringType);
            file.setUtf8String(UTF8String.fromString(partition.path()));
            columns[vectors.size()] = file;
        }
        return new ColumnarBatch(columns, reader.batchRows());
    }

    @Override
    public ColumnarBatch get() {
        return current;
    }

    @Override
    public void close() {
        reader.close();
    }
}
