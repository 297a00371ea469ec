package io.convjob.spec;

import io.convjob.shape.ModelChecks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The PyTorch form: PyTorch's names and defaults in, the same records as equinox's form out, or one line. */
class TorchSpecParserTest {

    private static ModelSpec parse(String layers) {
        return SpecParser.parse("{\"framework\": \"pytorch\", \"layers\": [" + layers + "]}");
    }

    private static LayerSpec only(String layer) {
        return parse(layer).layers().get(0);
    }

    private static String error(String layers) {
        return assertThrows(SpecException.class, () -> parse(layers)).getMessage();
    }

    @Test
    void conv2dDefaultsAreTorchs() {
        ConvSpec c = (ConvSpec) only("{\"layer\": \"Conv2d\", \"in_channels\": 3, \"out_channels\": 8, \"kernel_size\": 3}");
        assertEquals(new ConvSpec(2, 3, 8, Dims.of(3, 3), Dims.of(1, 1), Padding.Explicit.symmetric(Dims.of(0, 0)),
                Dims.of(1, 1), 1, true, PaddingMode.ZEROS, null, true), c);
    }

    @Test
    void everyConvArgumentForm() {
        ConvSpec c = (ConvSpec) only("{\"layer\": \"Conv3d\", \"in_channels\": 4, \"out_channels\": 6, \"kernel_size\":"
                + " [3, 2, 1], \"stride\": [1, 2, 3], \"padding\": [1, 0, 2], \"dilation\": 2, \"groups\": 2,"
                + " \"bias\": false, \"padding_mode\": \"circular\", \"device\": \"cpu\", \"dtype\": \"torch.float32\"}");
        assertEquals(new ConvSpec(3, 4, 6, Dims.of(3, 2, 1), Dims.of(1, 2, 3), Padding.Explicit.symmetric(Dims.of(1, 0, 2)),
                Dims.of(2, 2, 2), 2, false, PaddingMode.CIRCULAR, null, true), c);
        assertEquals(Padding.Named.SAME, ((ConvSpec) only("{\"layer\": \"Conv1d\", \"in_channels\": 1, \"out_channels\": 1,"
                + " \"kernel_size\": 4, \"padding\": \"same\", \"padding_mode\": \"reflect\"}")).padding());
        assertEquals(Padding.Explicit.symmetric(Dims.of(0)), ((ConvSpec) only("{\"layer\": \"Conv1d\", \"in_channels\": 1,"
                + " \"out_channels\": 1, \"kernel_size\": 4, \"padding\": \"valid\", \"padding_mode\": \"replicate\"}")).padding());
    }

    @Test
    void convTransposeArgumentsKeepPyTorchsMeaning() {
        ConvTransposeSpec t = (ConvTransposeSpec) only("{\"layer\": \"ConvTranspose2d\", \"in_channels\": 4,"
                + " \"out_channels\": 6, \"kernel_size\": 3, \"stride\": 2, \"padding\": 1, \"output_padding\": 1,"
                + " \"groups\": 2, \"bias\": false, \"dilation\": [1, 2], \"padding_mode\": \"zeros\"}");
        assertEquals(new ConvTransposeSpec(2, 4, 6, Dims.of(3, 3), Dims.of(2, 2), Padding.Explicit.symmetric(Dims.of(1, 1)),
                Dims.of(1, 1), Dims.of(1, 2), 2, false, PaddingMode.ZEROS, null, true), t);
    }

    @Test
    void activationsAndNames() {
        ModelSpec m = parse("{\"layer\": \"ReLU\", \"inplace\": true}, {\"layer\": \"GELU\"},"
                + " {\"layer\": \"GELU\", \"approximate\": \"tanh\", \"name\": \"g\"}, {\"layer\": \"SiLU\"},"
                + " {\"layer\": \"Sigmoid\"}, {\"layer\": \"Tanh\"}");
        assertEquals(List.of(new ActivationSpec(Activation.RELU), new ActivationSpec(Activation.GELU_EXACT),
                new ActivationSpec(Activation.GELU), new ActivationSpec(Activation.SILU),
                new ActivationSpec(Activation.SIGMOID), new ActivationSpec(Activation.TANH)), m.layers());
        assertEquals(new WeightNaming.PyTorch(List.of("0", "1", "g", "3", "4", "5"), ""), m.naming());
        ModelSpec prefixed = SpecParser.parse("{\"framework\": \"pytorch\", \"weights_prefix\": \"features.\","
                + " \"layers\": [{\"layer\": \"ReLU\"}]}");
        assertEquals("features.0.weight", ((WeightNaming.PyTorch) prefixed.naming()).key(0, "weight"));
        assertEquals("model.0.bias", ((WeightNaming.PyTorch) prefixed.withWeightsPrefix("model.").naming()).key(0, "bias"));
    }

    @Test
    void geluExactIsErf() {
        // x * Phi(x), Phi from erf: reference values from math.erf in double
        assertEquals(0.8413447460685429f, Activation.GELU_EXACT.apply(1f), 1e-7f);
        assertEquals(-0.04550026389635842f, Activation.GELU_EXACT.apply(-2f), 1e-8f);
        assertEquals(-1.4332578593401202e-06f, Activation.GELU_EXACT.apply(-5f), 1e-13f);
        assertEquals(2.99595030590511f, Activation.GELU_EXACT.apply(3f), 3e-7f);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
        {"layer": "Conv2d", "in_channels": 3, "out_channels": 8, "kernel_size": 3, "stride": 2, "padding": "same"} | layers[0].padding: "same" is not supported for strided convolutions (as in PyTorch), got stride [2, 2]
        {"layer": "Conv2d", "in_channels": 3, "out_channels": 8, "kernel_size": 3, "padding": "full"} | layers[0].padding: must be an int, a list of 2 ints, "same" or "valid", got "full"
        {"layer": "Conv2d", "in_channels": 3, "out_channels": 8, "kernel_size": 3, "padding": -1} | layers[0].padding: must be >= 0 (PyTorch refuses negative padding), got [-1, -1]
        {"layer": "Conv2d", "in_channels": 3, "out_channels": 8, "kernel_size": 3, "padding": [[1, 1], [0, 0]]} | layers[0].padding: expected an int or a list of 2 ints, got [1, 1] in [[1, 1], [0, 0]]
        {"layer": "Conv2d", "in_channels": 3, "out_channels": 8, "kernel_size": 3, "padding": [1, 1, 1]} | layers[0].padding: expected an int or a list of 2 ints, got [1, 1, 1]
        {"layer": "Conv2d", "in_channels": 3, "out_channels": 8, "kernel_size": 3, "padding_mode": "REFLECT"} | layers[0].padding_mode: must be "zeros", "reflect", "replicate" or "circular", got "REFLECT"
        {"layer": "Conv2d", "in_channels": 3, "out_channels": 8, "kernel_size": 3, "groups": 2} | layers[0].groups: in_channels (=3) must be divisible by groups (=2)
        {"layer": "Conv2d", "in_channels": 3, "out_channels": 8, "kernel_size": 3, "use_bias": false} | layers[0].use_bias: unknown argument for Conv2d; it takes layer, name, in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias, padding_mode, device, dtype
        {"layer": "Conv2d", "in_channels": 3, "out_channels": 8, "kernel_size": 3, "dtype": "float16"} | layers[0].dtype: only float32 is supported (we compute in float32), got "float16"
        {"layer": "Conv2d", "in_channels": 3, "out_channels": 8} | layers[0].kernel_size: missing; Conv2d requires in_channels, out_channels and kernel_size
        {"layer": "Conv2d", "in_channels": 3, "out_channels": 8, "kernel_size": [3, 3, 3]} | layers[0].kernel_size: length of [3, 3, 3] is 3, expected 2 (num_spatial_dims)
        {"layer": "ConvTranspose2d", "in_channels": 3, "out_channels": 8, "kernel_size": 3, "padding_mode": "reflect"} | layers[0].padding_mode: only "zeros" is supported for ConvTranspose2d (as in PyTorch), got "reflect"
        {"layer": "ConvTranspose2d", "in_channels": 3, "out_channels": 8, "kernel_size": 3, "padding": "same"} | layers[0].padding: ConvTranspose2d takes an int or a list of 2 ints (PyTorch has no "same" for transposed convolutions)
        {"layer": "ConvTranspose1d", "in_channels": 3, "out_channels": 8, "kernel_size": 3, "output_padding": 1, "dilation": 2} | layers[0].output_padding: [1] is not below stride [1]; PyTorch allows it up to the dilation, our ConvTranspose does not support it
        {"layer": "ConvTranspose1d", "in_channels": 3, "out_channels": 8, "kernel_size": 3, "output_padding": 2, "stride": 2} | layers[0].output_padding: must be smaller than either stride or dilation (PyTorch's rule), got [2] with stride [2] and dilation [1]
        {"layer": "GELU", "approximate": "fast"} | layers[0].approximate: must be "none" or "tanh" (as PyTorch), got "fast"
        {"layer": "ReLU", "negative_slope": 0.1} | layers[0].negative_slope: unknown argument for ReLU; it takes layer, name, inplace
        {"layer": "BatchNorm2d", "num_features": 3} | layers[0].layer: unknown module "BatchNorm2d"; expected one of Conv1d/2d/3d, ConvTranspose1d/2d/3d, MaxPool1d/2d/3d, AvgPool1d/2d/3d, AdaptiveAvgPool1d/2d/3d, AdaptiveMaxPool1d/2d/3d, Flatten, ReLU, GELU, SiLU, Sigmoid, Tanh
        {"layer": "ReLU", "name": "a.b"} | layers[0].name: a module name is non-empty and has no '.', got "a.b"
        {"layer": "ReLU", "name": "x"}, {"layer": "ReLU", "name": "x"} | layers[1].name: "x" names two modules
        """)
    void refusalsNameTheArgument(String layers, String expected) {
        assertEquals(expected, error(layers));
    }

    @Test
    void topLevelRefusals() {
        assertEquals("framework: must be \"pytorch\" (leave it out for equinox's form), got \"jax\"",
                assertThrows(SpecException.class, () -> SpecParser.parse("{\"framework\": \"jax\", \"layers\": []}")).getMessage());
        assertEquals("layers: expected a non-empty list of torch.nn modules, got []",
                assertThrows(SpecException.class, () -> SpecParser.parse("{\"framework\": \"pytorch\", \"layers\": []}")).getMessage());
        assertEquals("weights prefix: only a PyTorch spec {\"framework\": \"pytorch\", ...} takes one",
                assertThrows(SpecException.class, () -> SpecParser.parse("{\"layers\": [{\"layer\": \"relu\"}]}")
                        .withWeightsPrefix("features.")).getMessage());
    }

    /** PyTorch: reflect padding < size, circular <= size (checked against torch 2.13); equinox's form allows more. */
    @Test
    void pyTorchsPaddingLimitsAtTheInputShape() {
        String reflect = "{\"layer\": \"Conv1d\", \"in_channels\": 1, \"out_channels\": 1, \"kernel_size\": 1,"
                + " \"padding\": %d, \"padding_mode\": \"%s\"}";
        assertEquals(List.of(1, 7).toString(), java.util.Arrays.toString(
                ModelChecks.checkInputShape(parse(String.format(reflect, 2, "reflect")), new int[] {1, 3})));
        assertEquals("layers[0].padding: PyTorch's reflect padding needs padding < the input size, got 3 for spatial"
                + " dim 0 of size 3", assertThrows(SpecException.class, () -> ModelChecks.checkInputShape(
                parse(String.format(reflect, 3, "reflect")), new int[] {1, 3})).getMessage());
        ModelChecks.checkInputShape(parse(String.format(reflect, 3, "circular")), new int[] {1, 3});
        assertEquals("layers[0].padding: PyTorch's circular padding needs padding <= the input size, got 4 for spatial"
                + " dim 0 of size 3", assertThrows(SpecException.class, () -> ModelChecks.checkInputShape(
                parse(String.format(reflect, 4, "circular")), new int[] {1, 3})).getMessage());
        ModelChecks.checkInputShape(parse(String.format(reflect, 5, "replicate")), new int[] {1, 2});
        // the same layer in equinox's form: jnp.pad reflects again, no refusal
        ModelChecks.checkInputShape(SpecParser.parse("{\"layers\": [{\"layer\": \"Conv1d\", \"in_channels\": 1,"
                + " \"out_channels\": 1, \"kernel_size\": 1, \"padding\": 3, \"padding_mode\": \"REFLECT\"}]}"),
                new int[] {1, 3});
    }

    @Test
    void poolingMapsToEquinoxWhereTheWindowsAgree() {
        ModelSpec m = parse("{\"layer\": \"MaxPool2d\", \"kernel_size\": 2}, {\"layer\": \"AvgPool1d\", \"kernel_size\": 3,"
                + " \"stride\": 1, \"padding\": 1}, {\"layer\": \"AvgPool2d\", \"kernel_size\": 3, \"count_include_pad\": false},"
                + " {\"layer\": \"Flatten\"}");
        assertEquals(List.of(
                new PoolSpec(PoolReduction.MAX, 2, Dims.of(2, 2), Dims.of(2, 2), Padding.Explicit.symmetric(Dims.of(0, 0)), false),
                new PoolSpec(PoolReduction.MEAN, 1, Dims.of(3), Dims.of(1), Padding.Explicit.symmetric(Dims.of(1)), false),
                new PoolSpec(PoolReduction.MEAN, 2, Dims.of(3, 3), Dims.of(3, 3), Padding.Explicit.symmetric(Dims.of(0, 0)), false),
                new FlattenSpec()), m.layers());
    }

    @Test
    void poolingKeepsPyTorchsWindowsWhereTheyDiffer() {
        ModelSpec m = parse("{\"layer\": \"MaxPool2d\", \"kernel_size\": 3, \"stride\": 2, \"padding\": 1, \"dilation\": [1, 2],"
                + " \"ceil_mode\": true}, {\"layer\": \"AvgPool3d\", \"kernel_size\": 2, \"stride\": null, \"padding\": 1,"
                + " \"count_include_pad\": false, \"divisor_override\": 5}, {\"layer\": \"AdaptiveAvgPool2d\", \"output_size\": [7, null]}");
        assertEquals(List.of(
                new TorchPoolSpec(PoolReduction.MAX, 2, Dims.of(3, 3), Dims.of(2, 2), Dims.of(1, 1), Dims.of(1, 2), true, true, 0),
                new TorchPoolSpec(PoolReduction.MEAN, 3, Dims.of(2, 2, 2), Dims.of(2, 2, 2), Dims.of(1, 1, 1), Dims.of(1, 1, 1),
                        false, false, 5),
                new TorchAdaptivePoolSpec(PoolReduction.MEAN, 2, Dims.of(7, 0))), m.layers());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
        {"layer": "MaxPool2d", "kernel_size": 3, "padding": 2} | layers[0].padding: should be at most half of the effective kernel size (as PyTorch), got [2, 2] with kernel_size [3, 3] and dilation [1, 1]
        {"layer": "MaxPool1d", "kernel_size": 3, "return_indices": true} | layers[0].return_indices: true is not supported: a layer here returns only the pooled values
        {"layer": "MaxPool1d"} | layers[0].kernel_size: missing; MaxPool1d requires kernel_size
        {"layer": "MaxPool1d", "kernel_size": 0} | layers[0].kernel_size: must be >= 1 in every dim (as PyTorch), got [0]
        {"layer": "AvgPool1d", "kernel_size": 2, "divisor_override": 2} | layers[0].divisor_override: unknown argument for AvgPool1d; it takes layer, name, kernel_size, stride, padding, ceil_mode, count_include_pad
        {"layer": "AvgPool2d", "kernel_size": 2, "divisor_override": 0} | layers[0].divisor_override: must not be zero (as PyTorch)
        {"layer": "AvgPool2d", "kernel_size": 2, "dilation": 2} | layers[0].dilation: unknown argument for AvgPool2d; it takes layer, name, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override
        {"layer": "AdaptiveAvgPool2d", "output_size": [0, 3]} | layers[0].output_size: must be >= 1 (or null), got [0, 3]
        {"layer": "AdaptiveAvgPool2d", "output_size": [3]} | layers[0].output_size: expected an int or a list of 2 ints or nulls, got [3]
        {"layer": "AdaptiveMaxPool1d", "output_size": 2, "return_indices": true} | layers[0].return_indices: true is not supported: a layer here returns only the pooled values
        {"layer": "Flatten", "start_dim": 0} | layers[0].start_dim: only 1 (flatten all but the batch dim) is supported, got 0
        {"layer": "Flatten", "end_dim": 2} | layers[0].end_dim: only -1 (to the last dim) is supported, got 2
        """)
    void poolingRefusalsNameTheArgument(String layers, String expected) {
        assertEquals(expected, error(layers));
    }

    /** equinox gives an empty output where the window does not fit; PyTorch refuses, and so does its form here. */
    @Test
    void pyTorchRefusesEmptyOutputs() {
        assertEquals("layers[0].kernel_size: input [1, 2, 2] gives output [1, 0, 0], empty in spatial dim 0 (PyTorch"
                + " refuses: the kernel does not fit the padded input)", assertThrows(SpecException.class,
                () -> ModelChecks.checkInputShape(parse("{\"layer\": \"MaxPool2d\", \"kernel_size\": 3}"), new int[] {1, 2, 2}))
                .getMessage());
        assertEquals("layers[0].kernel_size: MaxPool1d of spatial dim 0 (size 2, padding 0, effective kernel 5) gives"
                + " output size 0 (PyTorch refuses: output size is too small)", assertThrows(SpecException.class,
                () -> ModelChecks.checkInputShape(parse("{\"layer\": \"MaxPool1d\", \"kernel_size\": 3, \"dilation\": 2}"),
                        new int[] {1, 2})).getMessage());
        assertEquals("layers[0].kernel_size: input [1, 2] gives output [1, 0], empty in spatial dim 0 (PyTorch refuses:"
                + " the kernel does not fit the padded input)", assertThrows(SpecException.class,
                () -> ModelChecks.checkInputShape(parse("{\"layer\": \"Conv1d\", \"in_channels\": 1, \"out_channels\": 1,"
                        + " \"kernel_size\": 3}"), new int[] {1, 2})).getMessage());
    }

    @Test
    void theEquinoxFormOfAPyTorchSpecReadsBack() {
        ModelSpec torch = parse("{\"layer\": \"Conv2d\", \"in_channels\": 3, \"out_channels\": 4, \"kernel_size\": [3, 2],"
                + " \"padding\": \"same\", \"padding_mode\": \"reflect\"}, {\"layer\": \"GELU\"},"
                + " {\"layer\": \"ConvTranspose1d\", \"in_channels\": 4, \"out_channels\": 2, \"kernel_size\": 3, \"stride\": 2,"
                + " \"padding\": 1, \"output_padding\": 1}, {\"layer\": \"MaxPool1d\", \"kernel_size\": 2},"
                + " {\"layer\": \"Flatten\"}");
        ModelSpec back = SpecParser.parse(SpecWriter.toJson(torch.asEquinox()));
        assertEquals(torch.asEquinox(), back);
    }
}
