package io.convjob.spark;

import org.apache.spark.sql.catalyst.expressions.UnsafeArrayData;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.unsafe.Platform;

/**
 * Bulk moves of {@code array<float>} cells between Spark's internal arrays, float buffers and off-heap memory: one
 * memory copy per cell for Spark's unsafe arrays, never a float at a time or a boxed float.
 */
public final class TensorArrays {
    private TensorArrays() {}

    /** The index of the first null element, or -1 (an unsafe array's null bitmap is read a 64-bit word at a time). */
    public static int firstNull(ArrayData array) {
        int n = array.numElements();
        if (array instanceof UnsafeArrayData unsafe) {
            long bitmap = unsafe.getBaseOffset() + Long.BYTES; // after the element count
            for (int w = 0; w < (n + 63) / 64; w++) {
                long bits = Platform.getLong(unsafe.getBaseObject(), bitmap + (long) w * Long.BYTES);
                if (bits != 0) return w * 64 + Long.numberOfTrailingZeros(bits);
            }
            return -1;
        }
        for (int i = 0; i < n; i++) if (array.isNullAt(i)) return i;
        return -1;
    }

    /** Copies all of {@code array}'s values (none null) into {@code dest} from {@code offset}. */
    public static void copy(ArrayData array, float[] dest, int offset) {
        int n = array.numElements();
        if (array instanceof UnsafeArrayData unsafe) {
            Platform.copyMemory(unsafe.getBaseObject(), unsafe.getBaseOffset() + UnsafeArrayData.calculateHeaderPortionInBytes(n),
                    dest, Platform.FLOAT_ARRAY_OFFSET + (long) offset * Float.BYTES, (long) n * Float.BYTES);
        } else {
            System.arraycopy(array.toFloatArray(), 0, dest, offset, n); // columnar and generic arrays: their own bulk path
        }
    }

    /** A new unsafe array of {@code count} floats (none null) copied from off-heap memory at {@code address}. */
    public static UnsafeArrayData fromAddress(long address, int count) {
        UnsafeArrayData array = UnsafeArrayData.createFreshArray(count, Float.BYTES);
        Platform.copyMemory(null, address, array.getBaseObject(),
                array.getBaseOffset() + UnsafeArrayData.calculateHeaderPortionInBytes(count), (long) count * Float.BYTES);
        return array;
    }

    /** A reusable unsafe array of {@code elements} floats, none null, refilled in place from a float buffer. */
    public static final class Cell {
        private final int elements;
        private final int header;
        private final long[] words;
        private final UnsafeArrayData array = new UnsafeArrayData();

        public Cell(int elements) {
            this.elements = elements;
            this.header = UnsafeArrayData.calculateHeaderPortionInBytes(elements);
            long bytes = header + (long) elements * Float.BYTES;
            this.words = new long[Math.toIntExact((bytes + 7) / 8)];
            Platform.putLong(words, Platform.LONG_ARRAY_OFFSET, elements); // the null bitmap stays all zero
            array.pointTo(words, Platform.LONG_ARRAY_OFFSET, Math.toIntExact(bytes));
        }

        /** The array holding {@code src[offset, offset + elements)}; valid until the next call. */
        public UnsafeArrayData fill(float[] src, int offset) {
            Platform.copyMemory(src, Platform.FLOAT_ARRAY_OFFSET + (long) offset * Float.BYTES, words,
                    Platform.LONG_ARRAY_OFFSET + header, (long) elements * Float.BYTES);
            return array;
        }
    }
}
