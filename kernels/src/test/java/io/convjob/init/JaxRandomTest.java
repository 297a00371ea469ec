package io.convjob.init;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.convjob.error.InputException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Published JAX values (jax-prng.md §8, JAX's tests and docs) and the structure of both modes. */
class JaxRandomTest {

    private static final PrngKey KEY_0 = PrngKey.fromSeed(0);

    @Test
    void splitsPrngKey0IntoFourLikeJax() {
        assertKeys(JaxRandom.split(KEY_0, 4, true),
                1797259609L, 2579123966L, 928981903L, 3453687069L, 4146024105L, 2718843009L, 2467461003L, 3840466878L);
        // JAX's testPRNGValues (legacy mode)
        assertKeys(JaxRandom.split(KEY_0, 4, false),
                2285895361L, 1501764800L, 1518642379L, 4090693311L, 433833334L, 4221794875L, 839183663L, 3740430601L);
    }

    @Test
    void foldInMatchesJax() {
        assertKeys(new PrngKey[] {JaxRandom.foldIn(KEY_0, 4)}, 2285895361L, 433833334L);
    }

    @Test
    void partitionableSplitEqualsFoldInOfTheIndex() {
        PrngKey key = PrngKey.fromWords(123456789L, 3987654321L);
        PrngKey[] keys = JaxRandom.split(key, 5, true);
        for (int j = 0; j < keys.length; j++) assertEquals(JaxRandom.foldIn(key, j), keys[j]);
    }

    @Test
    void bitsMatchJax() {
        assertWords(JaxRandom.bits32(KEY_0, 5, true), 4070199207L, 4202968722L, 1427181096L, 2012915765L, 2447653815L);
        assertWords(JaxRandom.bits32(KEY_0, 5, false), 2467461003L, 428148500L, 1688610540L, 3840466878L, 2562233961L);
        // JAX's testRngRandomBits, seed 1701
        PrngKey key1701 = PrngKey.fromSeed(1701);
        assertWords(JaxRandom.bits32(key1701, 3, true), 1111271205L, 2679469115L, 974515252L);
        assertWords(JaxRandom.bits32(key1701, 3, false), 56197195L, 4200222568L, 961309823L);
    }

    @Test
    void legacyBitsPairCounterIWithHalfPlusIAndPadAnOddCountWithZero() {
        PrngKey key = PrngKey.fromSeed(77);
        long p03 = Threefry2x32.hash(0, 77, 0, 3);
        long p14 = Threefry2x32.hash(0, 77, 1, 4);
        long p20 = Threefry2x32.hash(0, 77, 2, 0);
        int[] expected = {Threefry2x32.high(p03), Threefry2x32.high(p14), Threefry2x32.high(p20),
                Threefry2x32.low(p03), Threefry2x32.low(p14)};
        assertArrayEquals(expected, JaxRandom.bits32(key, 5, false));
    }

    @Test
    void partitionableBitsDoNotDependOnTheCount() {
        PrngKey key = PrngKey.fromSeed(9);
        int[] longer = JaxRandom.bits32(key, 1001, true);
        assertArrayEquals(JaxRandom.bits32(key, 37, true), Arrays.copyOf(longer, 37));
    }

    @Test
    void uniformScalarMatchesJax() {
        // uniform(PRNGKey(0), ()) from JAX's docs (partitionable) and jax-prng.md §8 (legacy)
        assertEquals(0.947667f, JaxRandom.uniform(KEY_0, 1, 0f, 1f, true)[0]);
        assertEquals(0.41845703f, JaxRandom.uniform(KEY_0, 1, 0f, 1f, false)[0]);
        assertArrayEquals(new float[] {0.947667f, 0.9785799f, 0.33229148f}, JaxRandom.uniform(KEY_0, 3, 0f, 1f, true));
    }

    @ParameterizedTest(name = "partitionable={0}")
    @ValueSource(booleans = {true, false})
    void uniformStaysInsideTheInterval(boolean partitionable) {
        float lo = -0.3f;
        float hi = 0.7f;
        for (float v : JaxRandom.uniform(PrngKey.fromSeed(3), 10_001, lo, hi, partitionable)) {
            assertTrue(v >= lo && v < hi, "out of [lo, hi): " + v);
        }
    }

    @Test
    void zeroCountsGiveEmptyArrays() {
        assertEquals(0, JaxRandom.bits32(KEY_0, 0, false).length);
        assertEquals(0, JaxRandom.split(KEY_0, 0, true).length);
        assertThrows(IllegalArgumentException.class, () -> JaxRandom.bits32(KEY_0, -1, true));
    }

    @Test
    void keysFromSeedsAndWords() {
        assertEquals(new PrngKey(0, -1), PrngKey.fromSeed(-1));
        assertEquals(new PrngKey(0, (int) 2147483747L), PrngKey.fromSeed(Integer.MAX_VALUE + 100L));
        assertEquals(new PrngKey(-1, 5), PrngKey.fromWords(0xFFFFFFFFL, 5));
        assertEquals("[4294967295, 5]", PrngKey.fromWords(0xFFFFFFFFL, 5).toString());
        assertThrows(InputException.class, () -> PrngKey.fromWords(0x1_0000_0000L, 0));
        assertThrows(InputException.class, () -> PrngKey.fromWords(0, -1));
    }

    private static void assertKeys(PrngKey[] keys, long... words) {
        int[] actual = new int[2 * keys.length];
        for (int j = 0; j < keys.length; j++) {
            actual[2 * j] = keys[j].k0();
            actual[2 * j + 1] = keys[j].k1();
        }
        assertWords(actual, words);
    }

    private static void assertWords(int[] actual, long... expected) {
        long[] unsigned = Arrays.stream(actual).mapToLong(Integer::toUnsignedLong).toArray();
        assertArrayEquals(expected, unsigned);
    }
}
