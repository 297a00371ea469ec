package io.convjob;

import io.convjob.io.NamedTensor;
import io.convjob.io.SafetensorsReader;
import io.convjob.reference.ReferenceConv;
import io.convjob.spec.ModelSpec;
import io.convjob.spec.SpecParser;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every case of ../shared/conformance, produced by the real equinox 0.13.8 / JAX 0.11.2, run twice: with
 * weights from {@code weights.safetensors} and from the spec's {@code key} (and from {@code model.eqx} for
 * stacks), on the default engine and on the reference loops. Pass mark: {@code max|y - y64| <= 1e-5 max|y64|}.
 */
class ConformanceTest {
    static final double TOLERANCE = 1e-5;
    /** our error / equinox's float32 error, per case, for the closing report */
    private static final List<Double> ratios = Collections.synchronizedList(new ArrayList<>());

    static Path conformanceDir() {
        String dir = System.getProperty("conformance.dir");
        Path p = dir != null ? Path.of(dir) : Path.of("../../shared/conformance");
        assertTrue(Files.isDirectory(p), "conformance data not found at " + p.toAbsolutePath());
        return p;
    }

    static Stream<String> cases() throws IOException {
        try (Stream<Path> dirs = Files.list(conformanceDir())) {
            List<String> names = dirs.filter(d -> Files.exists(d.resolve("golden.safetensors")))
                    .map(d -> d.getFileName().toString()).sorted().toList();
            assertTrue(names.size() >= 100, "expected 100+ conformance cases, found " + names.size());
            return names.stream();
        }
    }

    record Golden(Tensor x, float[] y, double[] y64) {}

    static Golden golden(Path dir) {
        try (SafetensorsReader reader = SafetensorsReader.open(dir.resolve("golden.safetensors"))) {
            return new Golden(tensor(reader.read("x")), reader.read("y").data(), reader.readDoubles("y64"));
        }
    }

    /** max|y - ref| / max|ref|, 0 for an empty or all-zero reference that y matches exactly */
    static double relativeError(float[] y, double[] ref) {
        assertEquals(ref.length, y.length, "output size");
        double err = 0;
        double scale = 0;
        for (int i = 0; i < y.length; i++) {
            err = Math.max(err, Math.abs(y[i] - ref[i]));
            scale = Math.max(scale, Math.abs(ref[i]));
        }
        if (scale == 0) return err == 0 ? 0 : Double.POSITIVE_INFINITY;
        return err / scale;
    }

    private static void assertMatches(String what, Tensor out, Golden g) {
        double ours = relativeError(out.data(), g.y64());
        assertTrue(ours <= TOLERANCE, what + ": max|y - y64| / max|y64| = " + ours);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void weightsFromFileAndFromKey(String name) throws IOException {
        Path dir = conformanceDir().resolve(name);
        ModelSpec spec = SpecParser.parse(dir.resolve("spec.json"));
        Golden g = golden(dir);

        Model fromFile = Model.fromSpec(spec, ModelWeights.load(spec, dir.resolve("weights.safetensors")).asSource());
        Tensor y = fromFile.applyBatch(g.x());
        assertMatches(name + " (weights.safetensors)", y, g);

        Model fromKey = Model.fromSpec(spec);
        fromFile.parameters().forEach((i, p) -> {
            assertArrayEquals(p.weight(), fromKey.parameters().get(i).weight(), name + " layer " + i + " weight");
            assertArrayEquals(p.bias(), fromKey.parameters().get(i).bias(), name + " layer " + i + " bias");
        });
        Tensor yKey = fromKey.applyBatch(g.x(), 1);
        assertMatches(name + " (key)", yKey, g);

        Model reference = Model.fromSpec(spec, Model.ParamsSource.fromKeys(), new ReferenceConv());
        assertMatches(name + " (reference engine)", reference.applyBatch(g.x()), g);

        if (Files.exists(dir.resolve("model.eqx"))) {
            Model fromEqx = Model.fromSpec(spec, ModelWeights.load(spec, dir.resolve("model.eqx")).asSource());
            assertMatches(name + " (model.eqx)", fromEqx.applyBatch(g.x()), g);
        }

        double equinoxErr = relativeError(g.y(), g.y64());
        double ours = relativeError(y.data(), g.y64());
        if (equinoxErr > 0) ratios.add(ours / equinoxErr);
    }

    @Test
    void outputShapesMatchIndex() throws IOException {
        // index.json lists every case's x and y shapes; the model must predict y's from x's
        var index = new com.fasterxml.jackson.databind.ObjectMapper().readTree(conformanceDir().resolve("index.json").toFile());
        int checked = 0;
        for (var entry : index) {
            Path dir = conformanceDir().resolve(entry.get("case").asText());
            ModelSpec spec = SpecParser.parse(dir.resolve("spec.json"));
            int[] x = toInts(entry.get("x"));
            int[] yShape = toInts(entry.get("y"));
            Model m = Model.fromSpec(spec);
            int[] out = m.outputShape(Arrays.copyOfRange(x, 1, x.length));
            assertArrayEquals(Arrays.copyOfRange(yShape, 1, yShape.length), out, entry.get("case").asText());
            checked++;
        }
        assertTrue(checked >= 100, "checked " + checked);
    }

    private static Tensor tensor(NamedTensor t) {
        return new Tensor(t.shape(), t.data());
    }

    private static int[] toInts(com.fasterxml.jackson.databind.JsonNode node) {
        int[] a = new int[node.size()];
        for (int i = 0; i < a.length; i++) a[i] = node.get(i).asInt();
        return a;
    }

    @AfterAll
    static void report() throws IOException {
        if (ratios.isEmpty()) return;
        List<Double> sorted = new ArrayList<>(ratios);
        Collections.sort(sorted);
        double median = sorted.get(sorted.size() / 2);
        String line = String.format("conformance: %d cases, median(our error / equinox float32 error) = %.3f, max = %.3f%n",
                sorted.size(), median, sorted.get(sorted.size() - 1));
        System.out.print(line);
        Path report = Path.of("target", "conformance-report.txt");
        Files.createDirectories(report.getParent());
        Files.writeString(report, line);
    }
}
