package io.convjob.shape;

import io.convjob.spec.SpecException;

import java.util.Arrays;
import java.util.Locale;

/**
 * Java's hard limits on sizes: an array holds at most {@link #MAX_ARRAY} elements and the kernels index with
 * {@code int}. Sizes are computed in {@code long} and checked here, so an oversized spec or shape is one line
 * naming the argument and the limit (exit 2), never an overflow deep in a kernel.
 */
public final class SizeLimits {
    /** The most elements a Java array holds on the JVMs we run on (a few header words below 2^31). */
    public static final long MAX_ARRAY = Integer.MAX_VALUE - 8;

    private SizeLimits() {}

    /** {@code value} as an int index or size, else a {@link SpecException} naming {@code argument} of spatial dim {@code dim}. */
    static int toInt(long value, String argument, int dim) {
        if (value > MAX_ARRAY || value < -MAX_ARRAY) {
            throw new SpecException(argument + ": " + count(value) + " in spatial dim " + dim
                    + ", beyond the " + count(MAX_ARRAY) + " a Java array index reaches");
        }
        return (int) value;
    }

    /** The padded (and lhs-dilated) extent of a spatial dim that the kernels index with ints. */
    static void checkExtent(long extent, int dim) {
        if (extent > MAX_ARRAY) {
            throw new SpecException("padding: the padded input is " + count(extent) + " wide in spatial dim " + dim
                    + " (input, padding, stride and dilation together), beyond the " + count(MAX_ARRAY)
                    + " a Java array index reaches");
        }
    }

    /** The product of non-negative factors; a {@link SpecException} naming {@code what} if it leaves {@code long}. */
    static long product(long[] factors, String what) {
        long p = 1;
        for (long f : factors) {
            try {
                p = Math.multiplyExact(p, f);
            } catch (ArithmeticException e) {
                throw new SpecException(what + ": beyond " + count(Long.MAX_VALUE) + " (" + Arrays.toString(factors) + ")");
            }
        }
        return p;
    }

    /** Elements of a shape, saturating at {@link Long#MAX_VALUE} (anything that large is refused anyway). */
    public static long elements(int[] shape) {
        long n = 1;
        for (int d : shape) {
            if (d == 0) return 0;
        }
        for (int d : shape) {
            if (n > Long.MAX_VALUE / Math.max(d, 1)) return Long.MAX_VALUE;
            n *= d;
        }
        return n;
    }

    /**
     * Checks that one sample of {@code shape} fits a Java array.
     *
     * @param where leads the message, e.g. {@code input} or {@code layers[2]}
     */
    public static void checkSample(int[] shape, String where) {
        long n = elements(shape);
        if (n > MAX_ARRAY) {
            throw new SpecException(where + ": shape " + Arrays.toString(shape) + " has " + count(n)
                    + " values per sample, more than a Java array holds (" + count(MAX_ARRAY) + ")");
        }
    }

    /** {@code 27,000,000,000}, or {@code more than 9,223,372,036,854,775,807} for a saturated count. */
    public static String count(long n) {
        return n == Long.MAX_VALUE ? "more than " + String.format(Locale.ROOT, "%,d", n) : String.format(Locale.ROOT, "%,d", n);
    }
}
