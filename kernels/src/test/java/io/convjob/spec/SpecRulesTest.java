package io.convjob.spec;

import org.junit.jupiter.api.Test;

import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Each load-time rule: the exact line, led by the JSON path, for specs built in Java and read from JSON. */
class SpecRulesTest {

    private static ConvSpec conv(int in, int out, Dims kernel, Dims stride, Padding padding, int groups,
                                 PaddingMode mode) {
        return new ConvSpec(2, in, out, kernel, stride, padding, Dims.of(1, 1), groups, true, mode, null, true);
    }

    private static ConvTransposeSpec transpose(Dims stride, Padding padding, Dims outputPadding, PaddingMode mode) {
        return new ConvTransposeSpec(2, 4, 4, Dims.of(3, 3), stride, padding, outputPadding, Dims.of(1, 1), 1, true,
                mode, null, true);
    }

    private static final Padding ZERO = Padding.Explicit.symmetric(Dims.of(0, 0));

    /** The record refuses to be made: its constructor applies the rules. */
    private static void assertRule(String expectedLine, Supplier<ConvLayerSpec> make) {
        SpecException e = assertThrows(SpecException.class, make::get);
        assertEquals(expectedLine, e.getMessage());
    }

    private static void assertRejected(String expectedLine, String json) {
        SpecException e = assertThrows(SpecException.class, () -> SpecParser.parse(json));
        assertEquals(expectedLine, e.getMessage());
    }

    @Test
    void stackPathLeadsTheLine() {
        assertRejected("layers[2].output_padding: must be < stride (elementwise), got [2, 2] vs [2, 2]", """
                {"layers": [{"layer": "relu"}, {"layer": "relu"}, {"layer": "ConvTranspose2d", "in_channels": 4,
                  "out_channels": 4, "kernel_size": 3, "stride": 2, "output_padding": 2}]}""");
    }

    /** equinox compares (1, 1) < (2, 1) as tuples and lets it pass; elementwise, dim 1 breaks the rule. */
    @Test
    void outputPaddingIsComparedElementwiseNotLexicographically() {
        assertRule("output_padding: must be < stride (elementwise), got [1, 1] vs [2, 1]",
                () -> transpose(Dims.of(2, 1), ZERO, Dims.of(1, 1), PaddingMode.ZEROS));
    }

    @Test
    void outputPaddingBelowStrideInEveryDimPasses() {
        assertDoesNotThrow(() -> transpose(Dims.of(2, 3), ZERO, Dims.of(1, 2), PaddingMode.ZEROS));
    }

    @Test
    void negativeOutputPadding() {
        assertRule("output_padding: must be >= 0, got [0, -1]",
                () -> transpose(Dims.of(2, 2), ZERO, Dims.of(0, -1), PaddingMode.ZEROS));
    }

    @Test
    void replicateTranspose() {
        assertRule("padding_mode: REPLICATE is not supported by equinox for ConvTranspose (only ZEROS and CIRCULAR)",
                () -> transpose(Dims.of(1, 1), ZERO, Dims.of(0, 0), PaddingMode.REPLICATE));
    }

    @Test
    void circularTransposeWithSamePaddingPasses() {
        assertDoesNotThrow(() -> transpose(Dims.of(2, 2), Padding.Named.SAME_LOWER, Dims.of(0, 0), PaddingMode.CIRCULAR));
    }

    @Test
    void circularTransposeWithValidPadding() {
        assertRule("padding: ConvTranspose with padding_mode CIRCULAR needs padding SAME or SAME_LOWER (not"
                        + " supported by equinox otherwise), got VALID",
                () -> transpose(Dims.of(1, 1), Padding.Named.VALID, Dims.of(0, 0), PaddingMode.CIRCULAR));
    }

    @Test
    void circularTransposeWithOutputPadding() {
        assertRule("output_padding: ConvTranspose with padding_mode CIRCULAR needs output_padding 0 (not supported"
                        + " by equinox otherwise), got [1, 0]",
                () -> transpose(Dims.of(2, 2), Padding.Named.SAME, Dims.of(1, 0), PaddingMode.CIRCULAR));
    }

    @Test
    void transposeChecksBothChannelCountsAgainstGroups() {
        assertRejected("layers[0].groups: in_channels (=4) must be divisible by groups (=3)", """
                {"layers": [{"layer": "ConvTranspose1d", "in_channels": 4, "out_channels": 6, "kernel_size": 3,
                  "groups": 3}]}""");
        assertRejected("groups: out_channels (=4) must be divisible by groups (=3)", """
                {"layer": "ConvTranspose1d", "in_channels": 6, "out_channels": 4, "kernel_size": 3, "groups": 3}""");
    }

    @Test
    void channelsMustBePositive() {
        assertRule("in_channels: must be >= 1, got 0", () -> conv(0, 4, Dims.of(3, 3), Dims.of(1, 1), ZERO, 1,
                PaddingMode.ZEROS));
        assertRule("out_channels: must be >= 1, got -2", () -> conv(4, -2, Dims.of(3, 3), Dims.of(1, 1), ZERO, 1,
                PaddingMode.ZEROS));
    }

    @Test
    void groupsMustBePositive() {
        assertRejected("groups: must be >= 1, got 0", """
                {"layer": "Conv2d", "in_channels": 4, "out_channels": 4, "kernel_size": 3, "groups": 0}""");
    }

    @Test
    void kernelStrideDilationMustBePositiveInEveryDim() {
        assertRule("kernel_size: must be >= 1 in every dim, got [3, 0]", () -> conv(4, 4, Dims.of(3, 0), Dims.of(1, 1),
                ZERO, 1, PaddingMode.ZEROS));
        assertRejected("stride: must be >= 1 in every dim, got [0, 0]", """
                {"layer": "Conv2d", "in_channels": 4, "out_channels": 4, "kernel_size": 3, "stride": 0}""");
        assertRejected("dilation: must be >= 1 in every dim, got [1, -1]", """
                {"layer": "Conv2d", "in_channels": 4, "out_channels": 4, "kernel_size": 3, "dilation": [1, -1]}""");
    }

    @Test
    void tupleLengthsMustMatchSpatialDims() {
        assertRejected("dilation: length of [1, 1, 1] is 3, expected 2 (num_spatial_dims)", """
                {"layer": "Conv2d", "in_channels": 4, "out_channels": 4, "kernel_size": 3, "dilation": [1, 1, 1]}""");
        assertRejected("output_padding: length of [0] is 1, expected 2 (num_spatial_dims)", """
                {"layer": "ConvTranspose2d", "in_channels": 4, "out_channels": 4, "kernel_size": 3,
                 "output_padding": [0]}""");
        assertRule("padding: length of [[1, 1]] is 1, expected 2 (num_spatial_dims)", () -> conv(4, 4, Dims.of(3, 3),
                Dims.of(1, 1), Padding.Explicit.symmetric(Dims.of(1)), 1, PaddingMode.ZEROS));
    }

    @Test
    void negativePaddingNeedsZerosMode() {
        assertRejected("padding: negative padding (cropping) needs padding_mode ZEROS, got REFLECT with"
                + " [[-1, 1], [0, 0]] (jnp.pad rejects negative widths)", """
                {"layer": "Conv2d", "in_channels": 4, "out_channels": 4, "kernel_size": 3,
                 "padding": [[-1, 1], [0, 0]], "padding_mode": "reflect"}""");
    }

    @Test
    void negativePaddingWithZerosPasses() {
        assertDoesNotThrow(() -> conv(4, 4, Dims.of(3, 3), Dims.of(1, 1),
                Padding.Explicit.symmetric(Dims.of(-1, -2)), 1, PaddingMode.ZEROS));
    }

    @Test
    void missingComponentOfAJavaBuiltSpec() {
        assertRule("stride: missing", () -> conv(4, 4, Dims.of(3, 3), null, ZERO, 1, PaddingMode.ZEROS));
    }
}
