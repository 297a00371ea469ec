package io.convjob.job.frame;

import io.convjob.spark.TensorArrays;
import org.apache.spark.sql.catalyst.util.ArrayData;

import java.util.Arrays;

/** Checks an {@code array<float>} cell against the sample shape and copies it into the batch buffer in bulk. */
final class TensorValues {
    private TensorValues() {}

    /**
     * Copies the cell into {@code dest[offset, offset + expected)}.
     *
     * @param mayHoldNulls the column's type allows null elements (then they are looked for)
     * @return null when copied, else why the cell is bad (one phrase, e.g. "has 3 values, expected 12 ...")
     */
    static String copy(ArrayData cell, int expected, int[] shape, boolean mayHoldNulls, float[] dest, int offset) {
        int n = cell.numElements();
        if (n != expected) return "has " + n + " values, expected " + expected + " for shape " + Arrays.toString(shape);
        if (mayHoldNulls) {
            int index = TensorArrays.firstNull(cell);
            if (index >= 0) return "holds a null value at index " + index;
        }
        TensorArrays.copy(cell, dest, offset);
        return null;
    }
}
