package io.convjob.arrow;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.util.hash.ArrowBufHasher;
import org.apache.arrow.vector.ExtensionTypeVector;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;

/**
 * A column of {@link FixedShapeTensorType}: a thin wrapper over its {@code FixedSizeList<float32>} storage with
 * row accessors that copy whole rows to and from {@code float[]} slices.
 */
public final class FixedShapeTensorVector extends ExtensionTypeVector<FixedSizeListVector> {
    private final FixedShapeTensorType type;

    /** Wraps {@code storage} as a column of {@code type}; the vector takes ownership of the storage. */
    public FixedShapeTensorVector(String name, BufferAllocator allocator, FixedSizeListVector storage, FixedShapeTensorType type) {
        super(name, allocator, storage);
        if (storage.getListSize() != type.elementCount()) {
            throw new IllegalArgumentException("storage list size " + storage.getListSize() + " != " + type.elementCount());
        }
        this.type = type;
    }

    /** A new empty nullable column of {@code type} with a float32 {@value FixedShapeTensorType#ITEM_FIELD} child. */
    public static FixedShapeTensorVector create(String name, FixedShapeTensorType type, BufferAllocator allocator) {
        return (FixedShapeTensorVector) type.toField(name, true).createVector(allocator);
    }

    /** The extension field (the base class would report the bare storage field). */
    @Override
    public Field getField() {
        Field storage = getUnderlyingVector().getField();
        return new Field(storage.getName(),
                new FieldType(storage.isNullable(), type, storage.getDictionary(), storage.getMetadata()),
                storage.getChildren());
    }

    public FixedShapeTensorType type() { return type; }

    /** product(shape): floats per row. */
    public int elementCount() { return type.elementCount(); }

    /**
     * Copies row {@code row} into {@code dest[offset .. offset + elementCount)}.
     *
     * @throws TensorFormatException if the row or one of its elements is null
     */
    public void readRow(int row, float[] dest, int offset) {
        TensorRows.copyFixed(getUnderlyingVector(), row, 1, dest, offset, r -> "row " + r);
    }

    /** Copies {@code count} rows from {@code fromRow} into {@code dest} from {@code offset}, checking nulls. */
    public void readRows(int fromRow, int count, float[] dest, int offset) {
        TensorRows.copyFixed(getUnderlyingVector(), fromRow, count, dest, offset, r -> "row " + r);
    }

    /** Sets row {@code row} from {@code src[offset .. offset + elementCount)}, growing buffers as needed. */
    public void writeRow(int row, float[] src, int offset) {
        TensorRows.writeFixed(getUnderlyingVector(), row, 1, src, offset);
    }

    /** Sets {@code count} rows from {@code fromRow} from consecutive slices of {@code src}, growing buffers as needed. */
    public void writeRows(int fromRow, int count, float[] src, int offset) {
        TensorRows.writeFixed(getUnderlyingVector(), fromRow, count, src, offset);
    }

    /** Row {@code index} as a new float[], or null for a null row. */
    @Override
    public Object getObject(int index) {
        if (isNull(index)) return null;
        float[] row = new float[elementCount()];
        readRow(index, row, 0);
        return row;
    }

    @Override
    public int hashCode(int index) {
        return getUnderlyingVector().hashCode(index);
    }

    @Override
    public int hashCode(int index, ArrowBufHasher hasher) {
        return getUnderlyingVector().hashCode(index, hasher);
    }
}
