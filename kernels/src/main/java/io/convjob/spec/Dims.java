package io.convjob.spec;

import java.util.Arrays;

/** An immutable tuple of ints, one per spatial dim (kernel_size, stride, ...), with value equality. */
public final class Dims {
    private final int[] values;

    private Dims(int[] values) {
        this.values = values;
    }

    public static Dims of(int... values) {
        return new Dims(values.clone());
    }

    /** {@code value} repeated {@code n} times, as equinox's {@code _ntuple} does for an int. */
    public static Dims repeat(int value, int n) {
        int[] v = new int[n];
        Arrays.fill(v, value);
        return new Dims(v);
    }

    public int size() { return values.length; }
    public int get(int dim) { return values[dim]; }
    public int[] toArray() { return values.clone(); }

    public long product() {
        long p = 1;
        for (int v : values) p *= v;
        return p;
    }

    public boolean allEqual(int value) {
        for (int v : values) if (v != value) return false;
        return true;
    }

    @Override public boolean equals(Object o) { return o instanceof Dims d && Arrays.equals(values, d.values); }
    @Override public int hashCode() { return Arrays.hashCode(values); }
    /** As a JSON list, e.g. {@code [3, 3]}. */
    @Override public String toString() { return Arrays.toString(values); }
}
