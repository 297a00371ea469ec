package io.convjob;

import java.util.Arrays;

/** A dense float32 tensor in C order: a sample {@code (channels, *spatial)} or a batch {@code (batch, channels, *spatial)}. */
public record Tensor(int[] shape, float[] data) {
    public Tensor {
        shape = shape.clone();
        long n = elementCount(shape);
        if (n != data.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + n
                    + " elements, data has " + data.length);
        }
    }

    @Override public int[] shape() { return shape.clone(); }
    public int rank() { return shape.length; }
    public int dim(int i) { return shape[i]; }

    /** Product of the dimensions (1 for a scalar): the one element count of the modules above the kernels' core. */
    public static long elementCount(int[] shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
            n = Math.multiplyExact(n, (long) d);
        }
        return n;
    }

    /** This tensor with a leading batch dim of 1. */
    public Tensor asBatch() {
        int[] s = new int[shape.length + 1];
        s[0] = 1;
        System.arraycopy(shape, 0, s, 1, shape.length);
        return new Tensor(s, data);
    }

    @Override public boolean equals(Object o) {
        return o instanceof Tensor t && Arrays.equals(shape, t.shape) && Arrays.equals(data, t.data);
    }
    @Override public int hashCode() { return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data); }
    @Override public String toString() { return "Tensor" + Arrays.toString(shape); }
}
