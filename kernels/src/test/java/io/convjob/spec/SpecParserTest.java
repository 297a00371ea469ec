package io.convjob.spec;

import io.convjob.init.PrngKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Every form equinox accepts, read into its canonical record; and the exact line for each bad input. */
class SpecParserTest {
    private static final String CONV_KEYS = "layer, num_spatial_dims, in_channels, out_channels, kernel_size,"
            + " stride, padding, dilation, groups, use_bias, padding_mode, dtype, key, threefry_partitionable";

    /** A Conv2d with equinox's defaults, for tests to vary one argument of. */
    private static ConvSpec conv2d(Dims kernel, Dims stride, Padding padding, Dims dilation, PaddingMode mode,
                                   PrngKey key) {
        return new ConvSpec(2, 4, 6, kernel, stride, padding, dilation, 1, true, mode, key, true);
    }

    private static Padding zeroPadding(int n) {
        return Padding.Explicit.symmetric(Dims.repeat(0, n));
    }

    private static ConvLayerSpec single(String json) {
        ModelSpec model = SpecParser.parse(json);
        assertFalse(model.stack());
        return (ConvLayerSpec) model.layers().get(0);
    }

    private static void assertRejected(String expectedLine, String json) {
        SpecException e = assertThrows(SpecException.class, () -> SpecParser.parse(json));
        assertEquals(expectedLine, e.getMessage());
    }

    // ---- accepted forms ----

    @Test
    void missingArgumentsTakeEquinoxDefaults() {
        ConvLayerSpec spec = single("""
                {"layer": "Conv", "num_spatial_dims": 2, "in_channels": 4, "out_channels": 6, "kernel_size": 3}""");
        assertEquals(conv2d(Dims.of(3, 3), Dims.of(1, 1), zeroPadding(2), Dims.of(1, 1), PaddingMode.ZEROS, null),
                spec);
    }

    @Test
    void numberedAliasFixesSpatialDims() {
        ConvLayerSpec spec = single("""
                {"layer": "Conv2d", "in_channels": 4, "out_channels": 6, "kernel_size": 3}""");
        assertEquals(conv2d(Dims.of(3, 3), Dims.of(1, 1), zeroPadding(2), Dims.of(1, 1), PaddingMode.ZEROS, null),
                spec);
    }

    @Test
    void numberedAliasAcceptsAgreeingSpatialDims() {
        ConvLayerSpec spec = single("""
                {"layer": "Conv1d", "num_spatial_dims": 1, "in_channels": 2, "out_channels": 2, "kernel_size": 5}""");
        assertEquals(new ConvSpec(1, 2, 2, Dims.of(5), Dims.of(1), zeroPadding(1), Dims.of(1), 1, true,
                PaddingMode.ZEROS, null, true), spec);
    }

    @Test
    void convTransposeAliasWithDefaults() {
        ConvLayerSpec spec = single("""
                {"layer": "ConvTranspose3d", "in_channels": 2, "out_channels": 4, "kernel_size": 2}""");
        assertEquals(new ConvTransposeSpec(3, 2, 4, Dims.of(2, 2, 2), Dims.of(1, 1, 1), zeroPadding(3),
                Dims.of(0, 0, 0), Dims.of(1, 1, 1), 1, true, PaddingMode.ZEROS, null, true), spec);
    }

    @Test
    void perDimListsForKernelStrideDilation() {
        ConvLayerSpec spec = single("""
                {"layer": "Conv", "num_spatial_dims": 2, "in_channels": 4, "out_channels": 6,
                 "kernel_size": [3, 5], "stride": [2, 1], "dilation": [1, 3]}""");
        assertEquals(conv2d(Dims.of(3, 5), Dims.of(2, 1), zeroPadding(2), Dims.of(1, 3), PaddingMode.ZEROS, null),
                spec);
    }

    @Test
    void intsForStrideAndDilationRepeatPerDim() {
        ConvLayerSpec spec = single("""
                {"layer": "Conv2d", "in_channels": 4, "out_channels": 6, "kernel_size": 3, "stride": 2,
                 "dilation": 3}""");
        assertEquals(conv2d(Dims.of(3, 3), Dims.of(2, 2), zeroPadding(2), Dims.of(3, 3), PaddingMode.ZEROS, null),
                spec);
    }

    @Test
    void intPaddingIsSymmetricInEveryDim() {
        ConvLayerSpec spec = single("""
                {"layer": "Conv2d", "in_channels": 4, "out_channels": 6, "kernel_size": 3, "padding": 2}""");
        assertEquals(new Padding.Explicit(Dims.of(2, 2), Dims.of(2, 2)), spec.padding());
    }

    @Test
    void perDimPaddingIsSymmetricPerDim() {
        ConvLayerSpec spec = single("""
                {"layer": "Conv2d", "in_channels": 4, "out_channels": 6, "kernel_size": 3, "padding": [1, 3]}""");
        assertEquals(new Padding.Explicit(Dims.of(1, 3), Dims.of(1, 3)), spec.padding());
    }

    @Test
    void pairPaddingGivesLoAndHiPerDim() {
        ConvLayerSpec spec = single("""
                {"layer": "Conv2d", "in_channels": 4, "out_channels": 6, "kernel_size": 3,
                 "padding": [[0, 2], [3, 1]]}""");
        assertEquals(new Padding.Explicit(Dims.of(0, 3), Dims.of(2, 1)), spec.padding());
    }

    @Test
    void negativePaddingCropsWithZerosMode() {
        ConvLayerSpec spec = single("""
                {"layer": "Conv2d", "in_channels": 4, "out_channels": 6, "kernel_size": 3,
                 "padding": [[-1, 2], [0, -3]]}""");
        assertEquals(new Padding.Explicit(Dims.of(-1, 0), Dims.of(2, -3)), spec.padding());
    }

    @Test
    void paddingStringsAnyCase() {
        String base = """
                {"layer": "Conv2d", "in_channels": 4, "out_channels": 6, "kernel_size": 3, "padding": "%s"}""";
        assertEquals(Padding.Named.SAME, single(base.formatted("Same")).padding());
        assertEquals(Padding.Named.SAME_LOWER, single(base.formatted("same_lower")).padding());
        assertEquals(Padding.Named.VALID, single(base.formatted("VALID")).padding());
    }

    @Test
    void paddingModeAnyCase() {
        ConvLayerSpec spec = single("""
                {"layer": "Conv2d", "in_channels": 4, "out_channels": 6, "kernel_size": 3, "padding": 1,
                 "padding_mode": "circular"}""");
        assertEquals(PaddingMode.CIRCULAR, spec.paddingMode());
    }

    @Test
    void outputPaddingIntAndList() {
        ConvTransposeSpec asInt = (ConvTransposeSpec) single("""
                {"layer": "ConvTranspose2d", "in_channels": 4, "out_channels": 6, "kernel_size": 3, "stride": 3,
                 "output_padding": 2}""");
        ConvTransposeSpec asList = (ConvTransposeSpec) single("""
                {"layer": "ConvTranspose2d", "in_channels": 4, "out_channels": 6, "kernel_size": 3, "stride": 3,
                 "output_padding": [2, 0]}""");
        assertEquals(Dims.of(2, 2), asInt.outputPadding());
        assertEquals(Dims.of(2, 0), asList.outputPadding());
    }

    @Test
    void groupsAndUseBias() {
        ConvLayerSpec spec = single("""
                {"layer": "Conv2d", "in_channels": 4, "out_channels": 6, "kernel_size": 3, "groups": 2,
                 "use_bias": false}""");
        assertEquals(new ConvSpec(2, 4, 6, Dims.of(3, 3), Dims.of(1, 1), zeroPadding(2), Dims.of(1, 1), 2, false,
                PaddingMode.ZEROS, null, true), spec);
    }

    @Test
    void intKeyIsJaxPrngKeySeed() {
        assertEquals(PrngKey.fromSeed(932223960), single("""
                {"layer": "Conv2d", "in_channels": 4, "out_channels": 6, "kernel_size": 3, "key": 932223960}""")
                .key());
        assertEquals(PrngKey.fromSeed(-5_000_000_000L), single("""
                {"layer": "Conv2d", "in_channels": 4, "out_channels": 6, "kernel_size": 3, "key": -5000000000}""")
                .key());
    }

    @Test
    void listKeyIsTwoUint32Words() {
        ConvLayerSpec spec = single("""
                {"layer": "Conv2d", "in_channels": 4, "out_channels": 6, "kernel_size": 3,
                 "key": [4294967295, 17]}""");
        assertEquals(new PrngKey(-1, 17), spec.key());
    }

    @Test
    void absentOrNullKeyMeansWeightsFromFile() {
        assertNull(single("""
                {"layer": "Conv2d", "in_channels": 4, "out_channels": 6, "kernel_size": 3}""").key());
        assertNull(single("""
                {"layer": "Conv2d", "in_channels": 4, "out_channels": 6, "kernel_size": 3, "key": null}""").key());
    }

    @Test
    void dtypeFloat32IsAccepted() {
        ConvLayerSpec spec = single("""
                {"layer": "Conv2d", "in_channels": 4, "out_channels": 6, "kernel_size": 3, "dtype": "float32"}""");
        assertEquals(conv2d(Dims.of(3, 3), Dims.of(1, 1), zeroPadding(2), Dims.of(1, 1), PaddingMode.ZEROS, null),
                spec);
    }

    @Test
    void threefryPartitionableOnALayer() {
        ConvLayerSpec spec = single("""
                {"layer": "Conv2d", "in_channels": 4, "out_channels": 6, "kernel_size": 3, "key": 1,
                 "threefry_partitionable": false}""");
        assertEquals(new ConvSpec(2, 4, 6, Dims.of(3, 3), Dims.of(1, 1), zeroPadding(2), Dims.of(1, 1), 1, true,
                PaddingMode.ZEROS, PrngKey.fromSeed(1), false), spec);
    }

    @Test
    void stackWithActivationsAndATopLevelThreefryDefault() {
        ModelSpec model = SpecParser.parse("""
                {"threefry_partitionable": false, "layers": [
                  {"layer": "Conv1d", "in_channels": 2, "out_channels": 4, "kernel_size": 3},
                  {"layer": "ReLU"},
                  {"layer": "ConvTranspose1d", "in_channels": 4, "out_channels": 2, "kernel_size": 3,
                   "threefry_partitionable": true},
                  {"layer": "GELU"}, {"layer": "sigmoid"}, {"layer": "tanh"}, {"layer": "silu"}]}""");
        Padding zero = zeroPadding(1);
        assertEquals(ModelSpec.stack(List.of(
                new ConvSpec(1, 2, 4, Dims.of(3), Dims.of(1), zero, Dims.of(1), 1, true, PaddingMode.ZEROS, null,
                        false),
                new ActivationSpec(Activation.RELU),
                new ConvTransposeSpec(1, 4, 2, Dims.of(3), Dims.of(1), zero, Dims.of(0), Dims.of(1), 1, true,
                        PaddingMode.ZEROS, null, true),
                new ActivationSpec(Activation.GELU), new ActivationSpec(Activation.SIGMOID),
                new ActivationSpec(Activation.TANH), new ActivationSpec(Activation.SILU))), model);
    }

    @Test
    void parsesAFile(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("spec.json");
        Files.writeString(file, """
                {"layer": "Conv2d", "in_channels": 4, "out_channels": 6, "kernel_size": 3}""");
        assertEquals(ModelSpec.single(conv2d(Dims.of(3, 3), Dims.of(1, 1), zeroPadding(2), Dims.of(1, 1),
                PaddingMode.ZEROS, null)), SpecParser.parse(file));
    }

    // ---- rejected input: exact lines ----

    @Test
    void missingFileNamesTheFile(@TempDir Path dir) {
        Path file = dir.resolve("nope.json");
        SpecException e = assertThrows(SpecException.class, () -> SpecParser.parse(file));
        assertEquals("spec file " + file + ": not found", e.getMessage());
    }

    @Test
    void invalidJson() {
        assertRejected("spec: invalid JSON at line 1, column 31: Unexpected character ('}' (code 125)): was"
                + " expecting double-quote to start field name", "{\"layer\": \"Conv2d\", \"key\": 1, }");
    }

    @Test
    void duplicateKey() {
        assertRejected("spec: invalid JSON at line 1, column 42: Duplicate field 'stride'",
                "{\"layer\": \"Conv2d\", \"stride\": 1, \"stride\": 2}");
    }

    @Test
    void notAnObject() {
        assertRejected("spec: expected a JSON object (one layer or {\"layers\": [...]}), got [1, 2]", "[1, 2]");
    }

    @Test
    void typoInAKeyIsNamedWithTheKnownKeys() {
        assertRejected("kernal_size: unknown key for Conv2d (did you mean kernel_size?); known keys: " + CONV_KEYS,
                """
                {"layer": "Conv2d", "in_channels": 4, "out_channels": 6, "kernal_size": 3}""");
    }

    @Test
    void unknownKeyInAStackEntry() {
        assertRejected("layers[1].strides: unknown key for ConvTranspose (did you mean stride?); known keys:"
                + " layer, num_spatial_dims, in_channels, out_channels, kernel_size, stride, output_padding, padding,"
                + " dilation, groups, use_bias, padding_mode, dtype, key, threefry_partitionable", """
                {"layers": [{"layer": "relu"}, {"layer": "ConvTranspose", "num_spatial_dims": 1, "in_channels": 1,
                  "out_channels": 1, "kernel_size": 1, "strides": 2}]}""");
    }

    @Test
    void unknownKeyAtStackTop() {
        assertRejected("seed: unknown key for a stack; known keys: layers, threefry_partitionable",
                "{\"layers\": [{\"layer\": \"relu\"}], \"seed\": 3}");
    }

    @Test
    void outputPaddingOnConv() {
        assertRejected("output_padding: only ConvTranspose takes output_padding, not Conv2d", """
                {"layer": "Conv2d", "in_channels": 4, "out_channels": 6, "kernel_size": 3, "output_padding": 1}""");
    }

    @Test
    void activationTakesNoOtherKeys() {
        assertRejected("layers[0].key: unknown key for activation relu; an activation takes only \"layer\"",
                "{\"layers\": [{\"layer\": \"relu\", \"key\": 1}]}");
    }

    @Test
    void activationAloneIsNotASpec() {
        assertRejected("layer: \"tanh\" is an activation; activations may appear only inside a stack"
                + " {\"layers\": [...]}", "{\"layer\": \"Tanh\"}");
    }

    @Test
    void unknownLayerName() {
        assertRejected("layers[0].layer: unknown layer \"conv2d\"; expected one of Conv, Conv1d, Conv2d, Conv3d,"
                + " ConvTranspose, ConvTranspose1d, ConvTranspose2d, ConvTranspose3d, MaxPool1d/2d/3d, AvgPool1d/2d/3d,"
                + " AdaptiveMaxPool1d/2d/3d, AdaptiveAvgPool1d/2d/3d, flatten, or an activation relu,"
                + " sigmoid, tanh, gelu, silu", "{\"layers\": [{\"layer\": \"conv2d\"}]}");
    }

    @Test
    void missingLayer() {
        assertRejected("layer: missing; a spec is one layer {\"layer\": \"Conv\", ...} or a stack {\"layers\":"
                + " [...]}", "{\"in_channels\": 4}");
    }

    @Test
    void emptyStack() {
        assertRejected("layers: expected a non-empty list of layers, got []", "{\"layers\": []}");
    }

    @Test
    void missingRequiredKey() {
        assertRejected("out_channels: missing; Conv2d requires in_channels, out_channels and kernel_size",
                "{\"layer\": \"Conv2d\", \"in_channels\": 4, \"kernel_size\": 3}");
    }

    @Test
    void genericConvNeedsNumSpatialDims() {
        assertRejected("layers[0].num_spatial_dims: missing; ConvTranspose requires num_spatial_dims (or use"
                + " ConvTranspose1d, ConvTranspose2d or ConvTranspose3d)", """
                {"layers": [{"layer": "ConvTranspose", "in_channels": 4, "out_channels": 6, "kernel_size": 3}]}""");
    }

    @Test
    void numSpatialDimsConflictingWithAlias() {
        assertRejected("num_spatial_dims: 3 conflicts with Conv2d (2 spatial dims)", """
                {"layer": "Conv2d", "num_spatial_dims": 3, "in_channels": 4, "out_channels": 6, "kernel_size": 3}""");
    }

    @Test
    void numSpatialDimsMustBePositive() {
        assertRejected("num_spatial_dims: must be >= 1, got 0", """
                {"layer": "Conv", "num_spatial_dims": 0, "in_channels": 4, "out_channels": 6, "kernel_size": 3}""");
    }

    @Test
    void floatWhereAnIntIsExpected() {
        assertRejected("in_channels: expected an int, got 3.0", """
                {"layer": "Conv2d", "in_channels": 3.0, "out_channels": 6, "kernel_size": 3}""");
    }

    @Test
    void stringWhereAnIntIsExpected() {
        assertRejected("groups: expected an int, got \"2\"", """
                {"layer": "Conv2d", "in_channels": 4, "out_channels": 6, "kernel_size": 3, "groups": "2"}""");
    }

    @Test
    void boolWhereAnIntIsExpected() {
        assertRejected("stride: expected an int or a list of 2 ints, got true", """
                {"layer": "Conv2d", "in_channels": 4, "out_channels": 6, "kernel_size": 3, "stride": true}""");
    }

    @Test
    void floatInsideAList() {
        assertRejected("kernel_size: expected an int or a list of 2 ints, got 3.5 in [3, 3.5]", """
                {"layer": "Conv2d", "in_channels": 4, "out_channels": 6, "kernel_size": [3, 3.5]}""");
    }

    @Test
    void intOutOfRange() {
        assertRejected("out_channels: 3000000000 does not fit in a 32-bit int", """
                {"layer": "Conv2d", "in_channels": 4, "out_channels": 3000000000, "kernel_size": 3}""");
    }

    @Test
    void intWhereABoolIsExpected() {
        assertRejected("use_bias: expected true or false, got 1", """
                {"layer": "Conv2d", "in_channels": 4, "out_channels": 6, "kernel_size": 3, "use_bias": 1}""");
    }

    @Test
    void stringWhereABoolIsExpectedAtStackTop() {
        assertRejected("threefry_partitionable: expected true or false, got \"false\"",
                "{\"threefry_partitionable\": \"false\", \"layers\": [{\"layer\": \"relu\"}]}");
    }

    @Test
    void dtypeOtherThanFloat32() {
        assertRejected("dtype: only \"float32\" is supported (we compute in float32), got \"float64\"", """
                {"layer": "Conv2d", "in_channels": 4, "out_channels": 6, "kernel_size": 3, "dtype": "float64"}""");
    }

    @Test
    void paddingMixingIntsAndPairs() {
        assertRejected("padding: mixes ints and [lo, hi] pairs in [1, [0, 1]]; give all ints or all pairs", """
                {"layer": "Conv2d", "in_channels": 4, "out_channels": 6, "kernel_size": 3, "padding": [1, [0, 1]]}""");
    }

    @Test
    void paddingPairOfThree() {
        assertRejected("padding: each pair must be [lo, hi], got [0, 1, 2] in [[0, 1, 2], [0, 1]]", """
                {"layer": "Conv2d", "in_channels": 4, "out_channels": 6, "kernel_size": 3,
                 "padding": [[0, 1, 2], [0, 1]]}""");
    }

    @Test
    void paddingListOfWrongLength() {
        assertRejected("padding: length of [1, 1, 1] is 3, expected 2 (num_spatial_dims)", """
                {"layer": "Conv2d", "in_channels": 4, "out_channels": 6, "kernel_size": 3, "padding": [1, 1, 1]}""");
    }

    @Test
    void paddingOfWrongType() {
        assertRejected("padding: expected a string SAME, SAME_LOWER or VALID, an int, or a list of 2 ints or of 2"
                + " [lo, hi] pairs, got 1.5", """
                {"layer": "Conv2d", "in_channels": 4, "out_channels": 6, "kernel_size": 3, "padding": 1.5}""");
    }

    @Test
    void keyOfThreeWords() {
        assertRejected("key: expected an int seed or [k0, k1] (two uint32 words), got [1, 2, 3]", """
                {"layer": "Conv2d", "in_channels": 4, "out_channels": 6, "kernel_size": 3, "key": [1, 2, 3]}""");
    }

    @Test
    void keyWordOutOfUint32() {
        assertRejected("key: words must be uint32 (0..4294967295), got [1, -3]", """
                {"layer": "Conv2d", "in_channels": 4, "out_channels": 6, "kernel_size": 3, "key": [1, -3]}""");
    }

    @Test
    void keySeedBeyondInt64() {
        assertRejected("key: seed 9223372036854775808 does not fit in int64", """
                {"layer": "Conv2d", "in_channels": 4, "out_channels": 6, "kernel_size": 3,
                 "key": 9223372036854775808}""");
    }

    @Test
    void keyAsString() {
        assertRejected("key: expected an int seed or [k0, k1] (two uint32 words), got \"42\"", """
                {"layer": "Conv2d", "in_channels": 4, "out_channels": 6, "kernel_size": 3, "key": "42"}""");
    }
}
