package io.convjob.torch;

import io.convjob.Model;
import io.convjob.Tensor;
import io.convjob.ModelWeights;
import io.convjob.io.SafetensorsReader;
import io.convjob.io.SafetensorsWriter;
import io.convjob.spec.ModelSpec;
import io.convjob.spec.SpecParser;
import io.convjob.spec.PoolLayerSpec;
import io.convjob.spec.SpecException;
import io.convjob.spec.TorchAdaptivePoolSpec;
import io.convjob.spec.TorchPoolSpec;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Models built and run by the real PyTorch ({@code torch_cases.py}): every Conv / ConvTranspose argument form,
 * the activations, float16 / bfloat16 / float64 checkpoints, strided storages, named modules and a weights
 * prefix. Our output must be within 1e-5 of max|y| of PyTorch's (computed in float64), from the {@code .pt}, from
 * the {@code .safetensors}, and from the equinox-form files {@link TorchImport} writes.
 */
class TorchInteropTest {

    static final double TOLERANCE = 1e-5;

    @TempDir Path tmp;

    static List<TorchCases.Case> cases() {
        return TorchCases.cases();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void checkpointMatchesPyTorch(TorchCases.Case c) {
        ModelSpec spec = spec(c);
        Model model = Model.fromSpec(spec, TorchWeights.load(spec, c.dir().resolve("model.pt")));
        assertClose(c, "model.pt", model);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void safetensorsMatchesPyTorch(TorchCases.Case c) {
        ModelSpec spec = spec(c);
        Model model = Model.fromSpec(spec, TorchWeights.load(spec, c.dir().resolve("model.safetensors")));
        assertClose(c, "model.safetensors", model);
    }

    /** import-torch's files are plain equinox ones: its spec and weights give the same model, bit for bit. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void importedEquinoxFilesGiveTheSameModel(TorchCases.Case c) throws Exception {
        ModelSpec spec = spec(c);
        Path weights = tmp.resolve("eqx.safetensors");
        Path specOut = tmp.resolve("eqx.json");
        OptionalInt torchOnly = IntStream.range(0, spec.layers().size())
                .filter(i -> spec.layers().get(i) instanceof TorchPoolSpec || spec.layers().get(i) instanceof TorchAdaptivePoolSpec)
                .findFirst();
        if (torchOnly.isPresent()) {
            // PyTorch's own windows have no equinox form: refused with one line, nothing written
            int i = torchOnly.getAsInt();
            String layer = ((PoolLayerSpec) spec.layers().get(i)).layerName();
            assertEquals("layers[" + i + "]: " + layer + " with PyTorch's windows (ceil_mode, dilation, count_include_pad=false,"
                    + " divisor_override or adaptive) has no equinox form; run the PyTorch spec itself",
                    assertThrows(SpecException.class, () -> TorchImport.write(spec,
                            TorchWeights.open(c.dir().resolve("model.pt")), weights, specOut)).getMessage());
            assertFalse(Files.exists(weights) || Files.exists(specOut));
            return;
        }
        TorchImport.write(spec, TorchWeights.open(c.dir().resolve("model.pt")), weights, specOut);
        ModelSpec equinox = SpecParser.parse(specOut);
        assertTrue(equinox.naming() instanceof io.convjob.spec.WeightNaming.Equinox);
        Model imported = Model.fromSpec(equinox, ModelWeights.load(equinox, weights).asSource());
        Model direct = Model.fromSpec(spec, TorchWeights.load(spec, c.dir().resolve("model.pt")));
        Tensor x = input(c);
        assertArrayEquals(direct.applyBatch(x, 1).data(), imported.applyBatch(x, 1).data());
        assertClose(c, "import-torch output", imported);
    }

    static ModelSpec spec(TorchCases.Case c) {
        ModelSpec spec = SpecParser.parse(c.dir().resolve("spec.json"));
        return c.prefix().isEmpty() ? spec : spec.withWeightsPrefix(c.prefix());
    }

    static Tensor input(TorchCases.Case c) {
        try (SafetensorsReader io = SafetensorsReader.open(c.dir().resolve("io.safetensors"))) {
            var x = io.read("x");
            return new Tensor(x.shape(), x.data());
        }
    }

    /** max |ours - PyTorch's| <= 1e-5 max |PyTorch's|, shapes equal. */
    static double assertClose(TorchCases.Case c, String what, Model model) {
        double[] expected;
        int[] expectedShape;
        try (SafetensorsReader io = SafetensorsReader.open(c.dir().resolve("io.safetensors"))) {
            expected = io.readDoubles("y");
            expectedShape = io.entries().stream().filter(e -> e.name().equals("y")).findFirst().orElseThrow().shape();
        }
        Tensor y = model.applyBatch(input(c), 2);
        assertArrayEquals(expectedShape, y.shape(), c + " " + what + ": output shape");
        double maxAbs = 0;
        double maxErr = 0;
        for (int i = 0; i < expected.length; i++) {
            maxAbs = Math.max(maxAbs, Math.abs(expected[i]));
            maxErr = Math.max(maxErr, Math.abs(expected[i] - y.data()[i]));
        }
        double relative = maxErr / maxAbs;
        System.out.printf("torch interop %-36s %-20s max|y| %.4g  max err %.3g  relative %.3g%n",
                c.name(), what, maxAbs, maxErr, relative);
        assertTrue(maxAbs > 0, c + ": PyTorch's output is all zeros, the comparison would prove nothing");
        assertTrue(relative <= TOLERANCE, c + " " + what + ": max abs error " + maxErr + " is " + relative
                + " of max|y| " + maxAbs + " (allowed " + TOLERANCE + ")");
        return relative;
    }
}
