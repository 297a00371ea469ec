package io.convjob.shape;

import io.convjob.spec.ModelSpec;
import io.convjob.spec.SpecException;
import io.convjob.spec.SpecParser;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Sample shapes walked through whole models: rank, channel chaining, empty outputs, lax / jnp.pad refusals. */
class ModelChecksTest {

    private static final String CONV_16_TO_8_TO_4 = """
            {"layers": [
              {"layer": "Conv2d", "in_channels": 3, "out_channels": 16, "kernel_size": 3, "padding": "SAME"},
              {"layer": "relu"},
              {"layer": "Conv2d", "in_channels": 8, "out_channels": 4, "kernel_size": 3}]}""";

    private static void assertShapeRejected(String expectedLine, String json, int... sampleShape) {
        ModelSpec model = SpecParser.parse(json);
        SpecException e = assertThrows(SpecException.class, () -> ModelChecks.checkInputShape(model, sampleShape));
        assertEquals(expectedLine, e.getMessage());
    }

    private static int[] outputShape(String json, int... sampleShape) {
        return ModelChecks.checkInputShape(SpecParser.parse(json), sampleShape);
    }

    @Test
    void channelsMustChainThroughTheStack() {
        assertShapeRejected("layers[2].in_channels: 8 does not match the 16 channels coming from layers[0]",
                CONV_16_TO_8_TO_4, 3, 8, 8);
    }

    @Test
    void firstLayerChannelsAgainstTheInput() {
        assertShapeRejected("layers[0].in_channels: 3 does not match the 4 channels of the input shape [4, 8, 8]",
                CONV_16_TO_8_TO_4, 4, 8, 8);
        assertShapeRejected("in_channels: 2 does not match the 3 channels of the input shape [3, 5]", """
                {"layer": "ConvTranspose1d", "in_channels": 2, "out_channels": 1, "kernel_size": 3}""", 3, 5);
    }

    @Test
    void firstLayerRankInAStack() {
        assertShapeRejected("input: layers[0] (Conv) needs rank 3 (channels, 2 spatial dims), got shape [3, 8]",
                CONV_16_TO_8_TO_4, 3, 8);
    }

    @Test
    void laterLayerRankInAStack() {
        assertShapeRejected("layers[1].num_spatial_dims: ConvTranspose needs rank 2 (channels, 1 spatial dim), got"
                + " shape [4, 6, 6] from layers[0]", """
                {"layers": [
                  {"layer": "Conv2d", "in_channels": 2, "out_channels": 4, "kernel_size": 3},
                  {"layer": "ConvTranspose1d", "in_channels": 4, "out_channels": 4, "kernel_size": 3}]}""", 2, 8, 8);
    }

    @Test
    void activationsKeepTheShapeBetweenLayers() {
        assertArrayEquals(new int[] {4, 6, 6}, outputShape("""
                {"layers": [
                  {"layer": "Conv2d", "in_channels": 3, "out_channels": 8, "kernel_size": 3, "padding": "SAME"},
                  {"layer": "gelu"}, {"layer": "silu"},
                  {"layer": "Conv2d", "in_channels": 8, "out_channels": 4, "kernel_size": 3}]}""", 3, 8, 8));
    }

    @Test
    void emptyOutputsPassAndChain() {
        assertArrayEquals(new int[] {2, 0, 0}, outputShape("""
                {"layers": [
                  {"layer": "Conv2d", "in_channels": 4, "out_channels": 4, "kernel_size": 3},
                  {"layer": "Conv2d", "in_channels": 4, "out_channels": 2, "kernel_size": 1}]}""", 4, 2, 2));
    }

    @Test
    void zeroPaddingOfAnEmptyDimPasses() {
        assertArrayEquals(new int[] {1, 0}, outputShape("""
                {"layer": "Conv1d", "in_channels": 1, "out_channels": 1, "kernel_size": 3, "padding": 1}""", 1, 0));
    }

    @Test
    void reflectPaddingOfAnEmptyDim() {
        assertShapeRejected("padding_mode: REFLECT cannot pad spatial dim 0 of size 0 (jnp.pad refuses to pad an"
                + " empty axis)", """
                {"layer": "Conv1d", "in_channels": 1, "out_channels": 1, "kernel_size": 3, "padding": 1,
                 "padding_mode": "REFLECT"}""", 1, 0);
    }

    @Test
    void croppingDownToNothingPasses() {
        assertArrayEquals(new int[] {1, 0}, outputShape("""
                {"layer": "Conv1d", "in_channels": 1, "out_channels": 1, "kernel_size": 1,
                 "padding": [[-2, -2]]}""", 1, 4));
    }

    @Test
    void croppingMoreThanTheDimension() {
        assertShapeRejected("padding: lax padding [-3, -2] crops spatial dim 0 of size 4 below 0 (lax rejects"
                + " negative padding larger than the dimension)", """
                {"layer": "Conv1d", "in_channels": 1, "out_channels": 1, "kernel_size": 1,
                 "padding": [[-3, -2]]}""", 1, 4);
    }

    @Test
    void negativeInputSize() {
        assertShapeRejected("input: shape [1, -4] has a negative size", """
                {"layer": "Conv1d", "in_channels": 1, "out_channels": 1, "kernel_size": 1}""", 1, -4);
    }
}
