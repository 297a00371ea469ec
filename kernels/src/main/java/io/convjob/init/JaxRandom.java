package io.convjob.init;

/**
 * JAX's {@code jax.random} functions that equinox's init uses, bit for bit (jax-prng.md §3-§5), for the
 * default threefry2x32 implementation, 32-bit words and float32. {@code partitionable} is JAX's
 * {@code jax_threefry_partitionable} flag: true since JAX 0.5.0, false up to 0.4.38.
 *
 * <p>Counts are Java ints, so the flat index never reaches 2^32: the partitionable counter's high word is
 * always 0 and JAX's legacy multi-key path for 2^32-1 or more words cannot occur.
 */
public final class JaxRandom {

    private static final int FLOAT_EXPONENT_OF_ONE = 0x3F800000;
    /** 32 bits minus float32's 23 mantissa bits. */
    private static final int MANTISSA_SHIFT = 9;

    private JaxRandom() {}

    /** {@code jax.random.split(key, n)}: n new keys in C order. */
    public static PrngKey[] split(PrngKey key, int n, boolean partitionable) {
        requireCount(n);
        PrngKey[] keys = new PrngKey[n];
        if (partitionable) {
            for (int j = 0; j < n; j++) {
                long h = Threefry2x32.hash(key.k0(), key.k1(), 0, j);
                keys[j] = new PrngKey(Threefry2x32.high(h), Threefry2x32.low(h));
            }
        } else {
            if (n > Integer.MAX_VALUE / 2) {
                throw new IllegalArgumentException("split: n must be <= " + Integer.MAX_VALUE / 2 + ", got " + n);
            }
            int[] flat = new int[2 * n];
            hashIota(key, flat);
            for (int j = 0; j < n; j++) keys[j] = new PrngKey(flat[2 * j], flat[2 * j + 1]);
        }
        return keys;
    }

    /** {@code jax.random.fold_in(key, data)}: the same in both modes. */
    public static PrngKey foldIn(PrngKey key, int data) {
        long h = Threefry2x32.hash(key.k0(), key.k1(), 0, data);
        return new PrngKey(Threefry2x32.high(h), Threefry2x32.low(h));
    }

    /** {@code jax.random.bits(key, (n,), uint32)}; any shape gives these words in C order. */
    public static int[] bits32(PrngKey key, int n, boolean partitionable) {
        requireCount(n);
        int[] out = new int[n];
        if (partitionable) {
            int k0 = key.k0();
            int k1 = key.k1();
            for (int i = 0; i < n; i++) {
                long h = Threefry2x32.hash(k0, k1, 0, i);
                out[i] = Threefry2x32.high(h) ^ Threefry2x32.low(h);
            }
        } else {
            hashIota(key, out);
        }
        return out;
    }

    /**
     * {@code jax.random.uniform(key, (n,), float32, minval, maxval)} as XLA:CPU computes it, with the scale
     * and shift fused into one FMA.
     */
    public static float[] uniform(PrngKey key, int n, float minval, float maxval, boolean partitionable) {
        return uniform(key, n, minval, maxval, partitionable, true);
    }

    /**
     * {@link #uniform(PrngKey, int, float, float, boolean)} with a choice of rounding: {@code fused} gives
     * {@code fma(f, hi - lo, lo)} (XLA:CPU), otherwise {@code f * (hi - lo)} and {@code + lo} round separately
     * (jax-prng.md §5; kept to reproduce the separate-rounding column of §8).
     */
    static float[] uniform(PrngKey key, int n, float minval, float maxval, boolean partitionable, boolean fused) {
        int[] bits = bits32(key, n, partitionable);
        float range = maxval - minval;
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            // The top 23 bits become the mantissa of a float in [1, 2); subtracting 1 is exact.
            float f = Float.intBitsToFloat((bits[i] >>> MANTISSA_SHIFT) | FLOAT_EXPONENT_OF_ONE) - 1.0f;
            float v = fused ? Math.fma(f, range, minval) : f * range + minval;
            // JAX clamps below only; there is no min(maxval, .).
            out[i] = Math.max(minval, v);
        }
        return out;
    }

    /**
     * JAX's {@code threefry_2x32(key, iota(m))} into {@code out} (m = out.length): counters pair as
     * (i, h + i) with h = ceil(m/2), an odd m pads the last pair with 0, and the first words of all pairs
     * come before the second words.
     */
    private static void hashIota(PrngKey key, int[] out) {
        int k0 = key.k0();
        int k1 = key.k1();
        int m = out.length;
        int half = (m >>> 1) + (m & 1);
        for (int i = 0; i < half; i++) {
            int second = half + i;
            boolean padded = second >= m;
            long h = Threefry2x32.hash(k0, k1, i, padded ? 0 : second);
            out[i] = Threefry2x32.high(h);
            if (!padded) out[second] = Threefry2x32.low(h);
        }
    }

    private static void requireCount(int n) {
        if (n < 0) throw new IllegalArgumentException("count must be >= 0, got " + n);
    }
}
