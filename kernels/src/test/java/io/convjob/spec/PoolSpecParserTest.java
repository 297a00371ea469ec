package io.convjob.spec;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Pooling and flatten entries read as equinox's constructors read them; every refusal one line naming the key. */
class PoolSpecParserTest {

    private static PoolLayerSpec pool(String json) {
        return (PoolLayerSpec) SpecParser.parse(json).layers().get(0);
    }

    private static void assertRejected(String expected, String json) {
        SpecException e = assertThrows(SpecException.class, () -> SpecParser.parse(json));
        assertEquals(expected, e.getMessage());
    }

    @Test
    void defaultsAreEquinoxs() {
        PoolSpec p = (PoolSpec) pool("{\"layer\": \"MaxPool2d\", \"kernel_size\": 3}");
        assertEquals(PoolReduction.MAX, p.reduction());
        assertEquals(Dims.of(3, 3), p.kernelSize());
        assertEquals(Dims.of(1, 1), p.stride()); // not kernel_size as in PyTorch
        assertEquals(Padding.Explicit.symmetric(Dims.of(0, 0)), p.padding());
        assertFalse(p.useCeil());
        assertEquals("MaxPool2d", p.layerName());
        assertEquals("AvgPool3d", pool("{\"layer\": \"AvgPool3d\", \"kernel_size\": 2}").layerName());
    }

    @Test
    void everyPaddingFormEquinoxTakes() {
        String base = "{\"layer\": \"AvgPool2d\", \"kernel_size\": 3, \"padding\": ";
        assertEquals(new Padding.Explicit(Dims.of(1, 1), Dims.of(1, 1)), ((PoolSpec) pool(base + "1}")).padding());
        assertEquals(new Padding.Explicit(Dims.of(1, 2), Dims.of(1, 2)), ((PoolSpec) pool(base + "[1, 2]}")).padding());
        assertEquals(new Padding.Explicit(Dims.of(0, 2), Dims.of(1, 3)),
                ((PoolSpec) pool(base + "[[0, 1], [2, 3]]}")).padding());
        assertEquals(new Padding.Explicit(Dims.of(-1, 0), Dims.of(0, 0)),
                ((PoolSpec) pool(base + "[[-1, 0], [0, 0]]}")).padding());
        assertRejected("padding: AvgPool2d takes an int, a list of ints or of [lo, hi] pairs, not a string (equinox's"
                + " pooling has no SAME or VALID), got \"SAME\"", base + "\"SAME\"}");
        assertRejected("padding: mixes ints and [lo, hi] pairs in [1, [0, 1]]; give all ints or all pairs",
                base + "[1, [0, 1]]}");
    }

    @Test
    void adaptiveTargetShape() {
        AdaptivePoolSpec a = (AdaptivePoolSpec) pool("{\"layer\": \"AdaptiveAvgPool3d\", \"target_shape\": [1, 2, 3]}");
        assertEquals(Dims.of(1, 2, 3), a.targetShape());
        assertEquals(PoolReduction.MEAN, a.reduction());
        assertEquals(Dims.of(4), ((AdaptivePoolSpec) pool("{\"layer\": \"AdaptiveMaxPool1d\", \"target_shape\": 4}"))
                .targetShape());
        assertRejected("target_shape: must be >= 1 in every dim, got [2, -1]",
                "{\"layer\": \"AdaptiveMaxPool2d\", \"target_shape\": [2, -1]}");
        assertRejected("target_shape: missing; AdaptiveMaxPool2d requires target_shape",
                "{\"layer\": \"AdaptiveMaxPool2d\"}");
        assertRejected("kernel_size: unknown key for AdaptiveAvgPool1d; known keys: layer, target_shape",
                "{\"layer\": \"AdaptiveAvgPool1d\", \"target_shape\": 2, \"kernel_size\": 2}");
    }

    @Test
    void badArgumentsNameTheKey() {
        assertRejected("kernel_size: missing; MaxPool1d requires kernel_size", "{\"layer\": \"MaxPool1d\"}");
        assertRejected("kernel_size: must be >= 1 in every dim, got [0]",
                "{\"layer\": \"MaxPool1d\", \"kernel_size\": 0}");
        assertRejected("strides: unknown key for MaxPool2d (did you mean stride?); known keys: layer, kernel_size,"
                + " stride, padding, use_ceil", "{\"layer\": \"MaxPool2d\", \"kernel_size\": 2, \"strides\": 2}");
        assertRejected("use_ceil: expected true or false, got 1",
                "{\"layer\": \"MaxPool2d\", \"kernel_size\": 2, \"use_ceil\": 1}");
        assertRejected("layers[2].stride: must be >= 1 in every dim, got [-1, -1]", """
                {"layers": [{"layer": "relu"}, {"layer": "flatten"},
                            {"layer": "MaxPool2d", "kernel_size": 2, "stride": -1}]}""");
    }

    @Test
    void flattenOnlyInAStackAndWithoutArguments() {
        assertTrue(SpecParser.parse("{\"layers\": [{\"layer\": \"flatten\"}]}").layers().get(0) instanceof FlattenSpec);
        assertRejected("layer: \"flatten\" may appear only inside a stack {\"layers\": [...]}", "{\"layer\": \"flatten\"}");
        assertRejected("layers[0].start_dim: unknown key for flatten; flatten takes only \"layer\"",
                "{\"layers\": [{\"layer\": \"flatten\", \"start_dim\": 1}]}");
    }

    @Test
    void unknownLayerNamesListThePools() {
        SpecException e = assertThrows(SpecException.class,
                () -> SpecParser.parse("{\"layer\": \"MaxPool4d\", \"kernel_size\": 2}"));
        assertTrue(e.getMessage().startsWith("layer: unknown layer \"MaxPool4d\"; expected one of Conv,"), e.getMessage());
        assertTrue(e.getMessage().contains("MaxPool1d/2d/3d") && e.getMessage().contains("flatten"), e.getMessage());
    }
}
