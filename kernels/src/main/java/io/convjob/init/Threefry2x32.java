package io.convjob.init;

/**
 * The Threefry-2x32 block cipher with 20 rounds, as JAX's {@code threefry2x32} computes it
 * (jax-prng.md §1). All words are uint32 held in Java ints; addition wraps mod 2^32.
 */
public final class Threefry2x32 {

    /** Skein/Threefish key-schedule parity constant. */
    private static final int PARITY = 0x1BD11BDA;

    private Threefry2x32() {}

    /**
     * Hashes the counter {@code (x0, x1)} under the key {@code (k0, k1)}.
     *
     * @return {@code (y0 << 32) | y1}: read the words with {@link #high} and {@link #low}. A packed long
     *     instead of a pair object keeps the per-element loops allocation-free.
     */
    public static long hash(int k0, int k1, int x0, int x1) {
        int k2 = k0 ^ k1 ^ PARITY;
        x0 += k0;
        x1 += k1;
        // Rotation sets R0 = {13, 15, 26, 6} and R1 = {17, 29, 16, 24} alternate, with a key
        // injection (plus its counter 1..5) after every four rounds.
        x0 += x1; x1 = Integer.rotateLeft(x1, 13) ^ x0;
        x0 += x1; x1 = Integer.rotateLeft(x1, 15) ^ x0;
        x0 += x1; x1 = Integer.rotateLeft(x1, 26) ^ x0;
        x0 += x1; x1 = Integer.rotateLeft(x1, 6) ^ x0;
        x0 += k1; x1 += k2 + 1;
        x0 += x1; x1 = Integer.rotateLeft(x1, 17) ^ x0;
        x0 += x1; x1 = Integer.rotateLeft(x1, 29) ^ x0;
        x0 += x1; x1 = Integer.rotateLeft(x1, 16) ^ x0;
        x0 += x1; x1 = Integer.rotateLeft(x1, 24) ^ x0;
        x0 += k2; x1 += k0 + 2;
        x0 += x1; x1 = Integer.rotateLeft(x1, 13) ^ x0;
        x0 += x1; x1 = Integer.rotateLeft(x1, 15) ^ x0;
        x0 += x1; x1 = Integer.rotateLeft(x1, 26) ^ x0;
        x0 += x1; x1 = Integer.rotateLeft(x1, 6) ^ x0;
        x0 += k0; x1 += k1 + 3;
        x0 += x1; x1 = Integer.rotateLeft(x1, 17) ^ x0;
        x0 += x1; x1 = Integer.rotateLeft(x1, 29) ^ x0;
        x0 += x1; x1 = Integer.rotateLeft(x1, 16) ^ x0;
        x0 += x1; x1 = Integer.rotateLeft(x1, 24) ^ x0;
        x0 += k1; x1 += k2 + 4;
        x0 += x1; x1 = Integer.rotateLeft(x1, 13) ^ x0;
        x0 += x1; x1 = Integer.rotateLeft(x1, 15) ^ x0;
        x0 += x1; x1 = Integer.rotateLeft(x1, 26) ^ x0;
        x0 += x1; x1 = Integer.rotateLeft(x1, 6) ^ x0;
        x0 += k2; x1 += k0 + 5;
        return ((long) x0 << 32) | (x1 & 0xFFFFFFFFL);
    }

    /** The first output word {@code y0} of a {@link #hash} result. */
    public static int high(long hash) {
        return (int) (hash >>> 32);
    }

    /** The second output word {@code y1} of a {@link #hash} result. */
    public static int low(long hash) {
        return (int) hash;
    }
}
