package io.convjob.io;

import java.util.Arrays;
import java.util.Objects;

/**
 * A float32 tensor read from or written to a weight file: row-major (C order) {@code data} of the given
 * {@code shape}. {@code sourceDtype} is the dtype as the file spelled it ({@code F32}, {@code BF16}, {@code <f8}, ...),
 * kept for messages; data of other float dtypes has already been converted to float32.
 *
 * <p>The shape is copied; the data array is shared, not copied (weights can be hundreds of MB).
 */
public record NamedTensor(String name, int[] shape, float[] data, String sourceDtype) {

    /** @throws IllegalArgumentException if a dimension is negative or the data length is not the shape's product */
    public NamedTensor {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(sourceDtype, "sourceDtype");
        shape = shape.clone();
        long count = elementCount(shape);
        if (count != data.length) {
            throw new IllegalArgumentException("tensor '" + name + "': shape " + Arrays.toString(shape)
                    + " has " + count + " elements but data has " + data.length);
        }
    }

    /** A tensor that started out as float32. */
    public static NamedTensor of(String name, int[] shape, float[] data) {
        return new NamedTensor(name, shape, data, "F32");
    }

    /** Product of the dimensions (1 for a scalar). @throws IllegalArgumentException if one is negative */
    public static long elementCount(int[] shape) {
        long count = 1;
        for (int dim : shape) {
            if (dim < 0) throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            count = Math.multiplyExact(count, (long) dim);
        }
        return count;
    }

    @Override public int[] shape() { return shape.clone(); }

    public int rank() { return shape.length; }

    public NamedTensor withName(String newName) { return new NamedTensor(newName, shape, data, sourceDtype); }

    /** Equal names, shapes, dtypes and data bit for bit (NaNs with equal bits compare equal). */
    @Override public boolean equals(Object o) {
        return o instanceof NamedTensor t && name.equals(t.name) && Arrays.equals(shape, t.shape)
                && sourceDtype.equals(t.sourceDtype) && Arrays.equals(data, t.data);
    }

    @Override public int hashCode() {
        return Objects.hash(name, Arrays.hashCode(shape), sourceDtype, Arrays.hashCode(data));
    }

    @Override public String toString() {
        return "NamedTensor[" + name + " " + sourceDtype + " " + Arrays.toString(shape) + "]";
    }
}
