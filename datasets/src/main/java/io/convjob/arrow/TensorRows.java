package io.convjob.arrow;

import java.nio.ByteOrder;
import java.util.function.IntFunction;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.BitVectorHelper;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.complex.ListVector;

/**
 * Bulk copies between tensor storage vectors and {@code float[]} slices. Rows are row-major float32 runs in the
 * child vector, so each copy is one memcpy through a little-endian view of the Arrow buffer.
 */
final class TensorRows {
    private TensorRows() {}

    /** The float32 child of a list vector, or a TensorFormatException naming the actual element type. */
    static Float4Vector floatChild(FieldVector list, String where) {
        FieldVector child = list instanceof FixedSizeListVector f ? f.getDataVector() : ((ListVector) list).getDataVector();
        if (child instanceof Float4Vector floats) return floats;
        throw new TensorFormatException(where + ": elements must be float32, got " + child.getField().getType());
    }

    /**
     * Copies rows {@code [fromRow, fromRow + count)} of a FixedSizeList<float32> into {@code dest} from {@code offset}.
     *
     * @param rowName names a row (index within the vector) for messages, e.g. "file.arrow: column 'tensor': row 17"
     * @throws TensorFormatException if a row or element in the range is null
     */
    static void copyFixed(FixedSizeListVector vector, int fromRow, int count, float[] dest, int offset, IntFunction<String> rowName) {
        int n = vector.getListSize();
        Float4Vector child = floatChild(vector, rowName.apply(fromRow));
        checkRange(vector.getValueCount(), fromRow, count);
        if (vector.getNullCount() > 0) {
            for (int r = fromRow; r < fromRow + count; r++) {
                if (vector.isNull(r)) throw new TensorFormatException(rowName.apply(r) + " is null");
            }
        }
        checkNoNullElements(child, (long) fromRow * n, (long) count * n, n, rowName);
        copyOut(child, (long) fromRow * n, dest, offset, Math.multiplyExact(count, n));
    }

    /**
     * Copies rows of a List<float32> whose every row must hold exactly {@code elementCount} values.
     *
     * @throws TensorFormatException if a row is null, has another length, or holds a null element
     */
    static void copyList(ListVector vector, int fromRow, int count, int elementCount, float[] dest, int offset, IntFunction<String> rowName) {
        Float4Vector child = floatChild(vector, rowName.apply(fromRow));
        checkRange(vector.getValueCount(), fromRow, count);
        for (int r = fromRow; r < fromRow + count; r++) {
            if (vector.isNull(r)) throw new TensorFormatException(rowName.apply(r) + " is null");
            int start = vector.getElementStartIndex(r);
            int length = vector.getElementEndIndex(r) - start;
            if (length != elementCount) {
                throw new TensorFormatException(rowName.apply(r) + " has " + length + " values, expected " + elementCount);
            }
            final int row = r;
            checkNoNullElements(child, start, length, 0, i -> rowName.apply(row));
            copyOut(child, start, dest, offset + (r - fromRow) * elementCount, elementCount);
        }
    }

    /** Writes rows {@code [fromRow, fromRow + count)} as non-null, growing buffers; the caller sets the value count. */
    static void writeFixed(FixedSizeListVector vector, int fromRow, int count, float[] src, int offset) {
        int n = vector.getListSize();
        Float4Vector child = (Float4Vector) vector.getDataVector();
        int values = Math.multiplyExact(count, n);
        if (src.length - offset < values || offset < 0) {
            throw new IllegalArgumentException("need " + values + " floats from offset " + offset + ", array has " + src.length);
        }
        long endElement = (long) (fromRow + count) * n;
        reserveRows(vector, fromRow, fromRow + count);
        setBits(vector.getValidityBuffer(), fromRow, fromRow + count);
        long start = (long) fromRow * n;
        setBits(child.getValidityBuffer(), start, endElement);
        if (values > 0) {
            child.getDataBuffer().nioBuffer(start * Float.BYTES, values * Float.BYTES)
                    .order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().put(src, offset, values);
        }
    }

    /**
     * Makes room for {@code rows} rows. With nothing to keep ({@code keepRows == 0}) it is one allocation of the size
     * asked for rather than a chain of doublings; the buffers then serve every later batch.
     */
    static void reserveRows(FixedSizeListVector vector, int keepRows, int rows) {
        if (vector.getValueCapacity() >= rows) return;
        if (keepRows == 0) {
            vector.setInitialCapacity(rows);
            vector.allocateNew();
        }
        while (vector.getValueCapacity() < rows) vector.reAlloc();
    }

    /** Sets validity bits {@code [from, to)}: whole bytes at once, bit by bit only at the two ends. */
    static void setBits(ArrowBuf validity, long from, long to) {
        long i = from;
        while (i < to && (i & 7) != 0) BitVectorHelper.setBit(validity, i++);
        long wholeBytes = (to - i) >>> 3;
        if (wholeBytes > 0) {
            validity.setOne(i >>> 3, wholeBytes);
            i += wholeBytes << 3;
        }
        while (i < to) BitVectorHelper.setBit(validity, i++);
    }

    private static void copyOut(Float4Vector child, long fromElement, float[] dest, int offset, int values) {
        if (values == 0) return;
        if (dest.length - offset < values || offset < 0) {
            throw new IllegalArgumentException("need room for " + values + " floats from offset " + offset + ", array has " + dest.length);
        }
        child.getDataBuffer().nioBuffer(fromElement * Float.BYTES, Math.multiplyExact(values, Float.BYTES))
                .order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(dest, offset, values);
    }

    private static void checkNoNullElements(Float4Vector child, long from, long count, int perRow, IntFunction<String> rowName) {
        if (child.getNullCount() == 0) return;
        for (long i = from; i < from + count; i++) {
            if (child.isNull((int) i)) {
                int row = perRow == 0 ? 0 : (int) (i / perRow);
                long element = perRow == 0 ? i - from : i % perRow;
                throw new TensorFormatException(rowName.apply(row) + " has a null element at index " + element);
            }
        }
    }

    private static void checkRange(int valueCount, int fromRow, int count) {
        if (fromRow < 0 || count < 0 || fromRow + count > valueCount) {
            throw new IndexOutOfBoundsException("rows [" + fromRow + ", " + (fromRow + count) + ") outside [0, " + valueCount + ")");
        }
    }
}
