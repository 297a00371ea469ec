package io.convjob.spark;

import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.spark.sql.types.Decimal;
import org.apache.spark.sql.vectorized.ArrowColumnVector;
import org.apache.spark.sql.vectorized.ColumnVector;
import org.apache.spark.sql.vectorized.ColumnarArray;
import org.apache.spark.sql.vectorized.ColumnarMap;
import org.apache.spark.unsafe.types.UTF8String;

/**
 * A FixedSizeList&lt;float32&gt; column as Spark {@code array<float>} (Spark's ArrowColumnVector has no
 * FixedSizeList): row {@code r} is the slice {@code [r * size, (r + 1) * size)} of the float child, read in place.
 * Does not own the Arrow vector; {@link #close()} leaves it to the file reader.
 */
final class TensorColumnVector extends ColumnVector {
    private final FixedSizeListVector vector;
    private final ColumnVector elements;
    private final int size;

    TensorColumnVector(FixedSizeListVector vector) {
        super(TensorSchemas.TENSOR_TYPE);
        this.vector = vector;
        this.elements = vector.getDataVector() instanceof Float4Vector floats ? new FloatColumnVector(floats)
                : new ArrowColumnVector(vector.getDataVector());
        this.size = vector.getListSize();
    }

    @Override
    public ColumnarArray getArray(int rowId) {
        return new ColumnarArray(elements, rowId * size, size);
    }

    @Override
    public boolean isNullAt(int rowId) {
        return vector.isNull(rowId);
    }

    @Override
    public boolean hasNull() {
        return vector.getNullCount() > 0;
    }

    @Override
    public int numNulls() {
        return vector.getNullCount();
    }

    @Override
    public void close() {
        // the vector belongs to the TensorFileReader
    }

    @Override public boolean getBoolean(int rowId) { throw unsupported(); }
    @Override public byte getByte(int rowId) { throw unsupported(); }
    @Override public short getShort(int rowId) { throw unsupported(); }
    @Override public int getInt(int rowId) { throw unsupported(); }
    @Override public long getLong(int rowId) { throw unsupported(); }
    @Override public float getFloat(int rowId) { throw unsupported(); }
    @Override public double getDouble(int rowId) { throw unsupported(); }
    @Override public ColumnarMap getMap(int ordinal) { throw unsupported(); }
    @Override public Decimal getDecimal(int rowId, int precision, int scale) { throw unsupported(); }
    @Override public UTF8String getUTF8String(int rowId) { throw unsupported(); }
    @Override public byte[] getBinary(int rowId) { throw unsupported(); }
    @Override public ColumnVector getChild(int ordinal) { throw unsupported(); }

    private static UnsupportedOperationException unsupported() {
        return new UnsupportedOperationException("a tensor column is array<float>");
    }
}
