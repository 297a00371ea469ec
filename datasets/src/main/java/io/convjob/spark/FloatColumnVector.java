package io.convjob.spark;

import org.apache.arrow.vector.Float4Vector;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Decimal;
import org.apache.spark.sql.vectorized.ColumnVector;
import org.apache.spark.sql.vectorized.ColumnarArray;
import org.apache.spark.sql.vectorized.ColumnarMap;
import org.apache.spark.unsafe.Platform;
import org.apache.spark.unsafe.types.UTF8String;

/**
 * The float values under a tensor column, read straight from the Arrow data buffer: Spark copies a tensor into its
 * rows a value at a time through {@link #isNullAt}/{@link #getFloat}, so these are plain memory reads (no null-bit
 * lookups when the vector has no nulls), and {@link #getFloats} is one memory copy. Does not own the vector.
 */
final class FloatColumnVector extends ColumnVector {
    private final Float4Vector vector;
    private final long address;
    private final boolean noNulls;

    FloatColumnVector(Float4Vector vector) {
        super(DataTypes.FloatType);
        this.vector = vector;
        this.address = vector.getDataBuffer().memoryAddress();
        this.noNulls = vector.getNullCount() == 0;
    }

    @Override
    public boolean isNullAt(int rowId) {
        return !noNulls && vector.isNull(rowId);
    }

    @Override
    public float getFloat(int rowId) {
        return Platform.getFloat(null, address + (long) rowId * Float.BYTES);
    }

    @Override
    public float[] getFloats(int rowId, int count) {
        float[] values = new float[count];
        Platform.copyMemory(null, address + (long) rowId * Float.BYTES, values, Platform.FLOAT_ARRAY_OFFSET, (long) count * Float.BYTES);
        return values;
    }

    @Override public boolean hasNull() { return !noNulls; }
    @Override public int numNulls() { return vector.getNullCount(); }
    @Override public void close() { /* the vector belongs to the TensorFileReader */ }

    @Override public boolean getBoolean(int rowId) { throw unsupported(); }
    @Override public byte getByte(int rowId) { throw unsupported(); }
    @Override public short getShort(int rowId) { throw unsupported(); }
    @Override public int getInt(int rowId) { throw unsupported(); }
    @Override public long getLong(int rowId) { throw unsupported(); }
    @Override public double getDouble(int rowId) { throw unsupported(); }
    @Override public ColumnarArray getArray(int rowId) { throw unsupported(); }
    @Override public ColumnarMap getMap(int ordinal) { throw unsupported(); }
    @Override public Decimal getDecimal(int rowId, int precision, int scale) { throw unsupported(); }
    @Override public UTF8String getUTF8String(int rowId) { throw unsupported(); }
    @Override public byte[] getBinary(int rowId) { throw unsupported(); }
    @Override public ColumnVector getChild(int ordinal) { throw unsupported(); }

    private static UnsupportedOperationException unsupported() {
        return new UnsupportedOperationException("the values of a tensor column are float");
    }
}
