package io.convjob.init;

import io.convjob.error.InputException;

/**
 * A JAX threefry key: the two uint32 words of {@code jax.random.PRNGKey(seed)} or of a split, held as
 * Java ints (compare and print them unsigned).
 */
public record PrngKey(int k0, int k1) {

    private static final long UINT32_MAX = 0xFFFFFFFFL;

    /** {@code jax.random.PRNGKey(seed)} in JAX's default 32-bit mode: {@code [0, seed mod 2^32]}. */
    public static PrngKey fromSeed(long seed) {
        return new PrngKey(0, (int) seed);
    }

    /**
     * The key with the given words, as {@code jax.random.split} prints them.
     *
     * @throws InputException if a word is outside {@code 0..2^32-1}
     */
    public static PrngKey fromWords(long k0, long k1) {
        if (k0 < 0 || k0 > UINT32_MAX || k1 < 0 || k1 > UINT32_MAX) {
            throw new InputException("key: words must be uint32 (0.." + UINT32_MAX + "), got [" + k0 + ", " + k1 + "]");
        }
        return new PrngKey((int) k0, (int) k1);
    }

    @Override public String toString() {
        return "[" + Integer.toUnsignedString(k0) + ", " + Integer.toUnsignedString(k1) + "]";
    }
}
