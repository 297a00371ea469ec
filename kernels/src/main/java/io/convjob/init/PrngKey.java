package io.convjob.init;

/**
 * A JAX threefry key: the two uint32 words of {@code jax.random.PRNGKey(seed)} or of a split, held as
 * Java ints (compare and print them unsigned).
 */
public record PrngKey(int k0, int k1) {

    /** {@code jax.random.PRNGKey(seed)} in JAX's default 32-bit mode: {@code [0, seed mod 2^32]}. */
    public static PrngKey fromSeed(long seed) {
        return new PrngKey(0, (int) seed);
    }

    @Override public String toString() {
        return "[" + Integer.toUnsignedString(k0) + ", " + Integer.toUnsignedString(k1) + "]";
    }
}
