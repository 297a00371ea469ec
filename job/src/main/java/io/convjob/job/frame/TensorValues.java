package io.convjob.job.frame;

import org.apache.spark.sql.Row;
import scala.collection.immutable.ArraySeq;

import java.util.Arrays;
import java.util.List;

/** Copies an {@code array<float>} cell of a Row into a float buffer, without boxing where Spark allows. */
final class TensorValues {
    private TensorValues() {}

    /**
     * Copies the cell into {@code dest[offset, offset + expected)}.
     *
     * @return null when copied, else why the cell is bad (one phrase, e.g. "is null")
     */
    static String copy(Row row, int column, int expected, int[] shape, float[] dest, int offset) {
        if (row.isNullAt(column)) return "is null";
        Object cell = row.get(column);
        if (cell instanceof ArraySeq.ofFloat floats) {
            return copyArray(floats.unsafeArray(), expected, shape, dest, offset);
        }
        if (cell instanceof float[] floats) {
            return copyArray(floats, expected, shape, dest, offset);
        }
        // what Spark's row deserializer gives for array<float>: boxed values in a mutable ArraySeq
        if (cell instanceof scala.collection.mutable.ArraySeq<?> seq && seq.array() instanceof Object[] boxed) {
            return copyBoxed(boxed, expected, shape, dest, offset);
        }
        List<Object> values = row.getList(column);
        if (values.size() != expected) return lengthReason(values.size(), expected, shape);
        for (int i = 0; i < expected; i++) {
            Object v = values.get(i);
            if (v == null) return "holds a null value at index " + i;
            dest[offset + i] = ((Number) v).floatValue();
        }
        return null;
    }

    private static String copyBoxed(Object[] values, int expected, int[] shape, float[] dest, int offset) {
        if (values.length != expected) return lengthReason(values.length, expected, shape);
        for (int i = 0; i < expected; i++) {
            if (!(values[i] instanceof Number v)) return "holds a null value at index " + i;
            dest[offset + i] = v.floatValue();
        }
        return null;
    }

    private static String copyArray(float[] values, int expected, int[] shape, float[] dest, int offset) {
        if (values.length != expected) return lengthReason(values.length, expected, shape);
        System.arraycopy(values, 0, dest, offset, expected);
        return null;
    }

    private static String lengthReason(int actual, int expected, int[] shape) {
        return "has " + actual + " values, expected " + expected + " for shape " + Arrays.toString(shape);
    }
}
