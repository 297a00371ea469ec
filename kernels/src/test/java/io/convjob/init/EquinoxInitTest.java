package io.convjob.init;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.convjob.Conv;
import io.convjob.ConvTranspose;
import io.convjob.spec.ConvSpec;
import io.convjob.spec.ConvTransposeSpec;
import io.convjob.spec.Dims;
import io.convjob.spec.Padding;
import io.convjob.spec.PaddingMode;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * equinox's Conv2d(3 -> 4, kernel 3, PRNGKey(0)) init (jax-prng.md §8) in both threefry modes, with the
 * fused (XLA:CPU, the default) and the separately rounded uniform. Expected values are float32 bit
 * patterns (0x...) or the shortest decimal that JAX printed, which names exactly one float32.
 */
class EquinoxInitTest {

    private static final int OUT = 4;
    private static final int IN = 3;
    private static final int[] KERNEL = {3, 3};

    @ParameterizedTest(name = "partitionable={0} fused={1} {2}")
    @CsvSource({
        "true,  true,  w0,   0x3E06EB3F",
        "true,  false, w0,   0x3E06EB3F",
        "true,  true,  w1,   0xBDFA5F87",
        "true,  false, w1,   0xBDFA5F87",
        "true,  true,  w2,   0xBDD70F10",
        "true,  false, w2,   0xBDD70F10",
        "true,  true,  w5,   0x3DAF024F",
        "true,  false, w5,   0x3DAF024E",
        "true,  true,  w107, 0xBE1C3B66",
        "true,  false, w107, 0xBE1C3B66",
        "true,  true,  b0,   -0.1896427",
        "true,  false, b0,   -0.1896427",
        "true,  true,  b1,   -0.18440907",
        "true,  false, b1,   -0.18440907",
        "true,  true,  b2,   0.031341076",
        "true,  false, b2,   0.031341076",
        "true,  true,  b3,   0xBD59D1CA",
        "true,  false, b3,   0xBD59D1C8",
        "false, true,  w0,   0xBE3E8BED",
        "false, false, w0,   0xBE3E8BEE",
        "false, true,  w1,   0xBDFF23CE",
        "false, false, w1,   0xBDFF23CE",
        "false, true,  w2,   0x3DD29C87",
        "false, false, w2,   0x3DD29C86",
        "false, true,  w5,   0x3DAA58F9",
        "false, false, w5,   0x3DAA58FA",
        "false, true,  w107, 0xBDC3B23F",
        "false, false, w107, 0xBDC3B23F",
        "false, true,  b0,   0.14334235",
        "false, false, b0,   0.14334236",
        "false, true,  b1,   -0.021931252",
        "false, false, b1,   -0.021931246",
        "false, true,  b2,   -0.08580174",
        "false, false, b2,   -0.08580174",
        "false, true,  b3,   0.110310465",
        "false, false, b3,   0.11031045",
    })
    void conv2dFromPrngKey0(boolean partitionable, boolean fused, String element, String expected) {
        PrngKey[] keys = JaxRandom.split(PrngKey.fromSeed(0), 2, partitionable);
        float lim = Float.intBitsToFloat(0x3E4511A3);
        float[] values;
        if (fused) {
            ConvParams params = EquinoxInit.init(PrngKey.fromSeed(0), partitionable, OUT, IN, KERNEL, true);
            values = element.startsWith("w") ? params.weight() : params.bias();
            assertEquals(element.startsWith("w") ? OUT * IN * 9 : OUT, values.length);
        } else {
            values = element.startsWith("w")
                    ? JaxRandom.uniform(keys[0], OUT * IN * 9, -lim, lim, partitionable, false)
                    : JaxRandom.uniform(keys[1], OUT, -lim, lim, partitionable, false);
        }
        float actual = values[Integer.parseInt(element.substring(1))];
        assertEquals(Integer.toHexString(expectedBits(expected)), Integer.toHexString(Float.floatToRawIntBits(actual)));
    }

    @Test
    void weightKeyAndBiasKeyAreTheSplitOfTheLayerKey() {
        assertEquals(new PrngKey(1797259609, (int) 2579123966L), JaxRandom.split(PrngKey.fromSeed(0), 2, true)[0]);
        assertEquals(new PrngKey(928981903, (int) 3453687069L), JaxRandom.split(PrngKey.fromSeed(0), 2, true)[1]);
        assertEquals(new PrngKey((int) 4146024105L, 967050713), JaxRandom.split(PrngKey.fromSeed(0), 2, false)[0]);
        assertEquals(new PrngKey((int) 2718843009L, 1272950319), JaxRandom.split(PrngKey.fromSeed(0), 2, false)[1]);
    }

    @Test
    void withoutBiasTheWeightIsUnchanged() {
        ConvParams withBias = EquinoxInit.init(PrngKey.fromSeed(11), true, 5, 2, new int[] {3}, true);
        ConvParams noBias = EquinoxInit.init(PrngKey.fromSeed(11), true, 5, 2, new int[] {3}, false);
        assertNull(noBias.bias());
        assertEquals(Arrays.toString(withBias.weight()), Arrays.toString(noBias.weight()));
    }

    @Test
    void initFromASpecUsesItsKeyModeAndGroupedChannels() {
        ConvSpec conv = new ConvSpec(2, IN, OUT, Dims.of(KERNEL), Dims.repeat(1, 2), Padding.Named.VALID,
                Dims.repeat(1, 2), 1, true, PaddingMode.ZEROS, PrngKey.fromSeed(0), true);
        Conv params = Conv.of(conv); // the layer draws from its spec's key through EquinoxInit
        assertEquals(0x3DAF024F, Float.floatToRawIntBits(params.weight()[5]));
        assertEquals(0xBD59D1CA, Float.floatToRawIntBits(params.bias()[3]));

        ConvTransposeSpec grouped = new ConvTransposeSpec(1, 6, 4, Dims.of(3), Dims.of(1), Padding.Named.VALID,
                Dims.of(0), Dims.of(1), 2, false, PaddingMode.ZEROS, PrngKey.fromWords(7, 9), false);
        ConvParams expected = EquinoxInit.init(PrngKey.fromWords(7, 9), false, 4, 3, new int[] {3}, false);
        assertEquals(Arrays.toString(expected.weight()), Arrays.toString(ConvTranspose.of(grouped).weight()));
        assertNull(ConvTranspose.of(grouped).bias());
    }

    @Test
    void rejectsEmptyLayers() {
        assertThrows(IllegalArgumentException.class,
                () -> EquinoxInit.init(PrngKey.fromSeed(0), true, 0, 3, new int[] {3}, true));
        assertThrows(IllegalArgumentException.class,
                () -> EquinoxInit.init(PrngKey.fromSeed(0), true, 4, 3, new int[] {3, 0}, true));
    }

    private static int expectedBits(String expected) {
        return expected.startsWith("0x")
                ? Integer.parseUnsignedInt(expected.substring(2), 16)
                : Float.floatToRawIntBits(Float.parseFloat(expected));
    }
}
