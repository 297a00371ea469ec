package io.convjob;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.convjob.io.SafetensorsReader;
import io.convjob.reference.ReferenceConv;
import io.convjob.spec.ModelSpec;
import io.convjob.spec.PoolLayerSpec;
import io.convjob.spec.PoolReduction;
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
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every case of ../shared/conformance-pool, produced by the real equinox 0.13.8: single pooling layers (every
 * class, 1d..3d) and conv + pooling stacks, the stacks with weights from {@code weights.safetensors}, from the
 * spec's keys and from {@code model.eqx}, on the default engine and on the reference conv loops. Pass mark as for
 * the convolution cases: {@code max|y - y64| <= 1e-5 max|y64|}; single MaxPool / AdaptiveMaxPool cases exact.
 */
class PoolConformanceTest {
    private static final List<Double> ratios = Collections.synchronizedList(new ArrayList<>());

    static Path poolDir() {
        String dir = System.getProperty("conformance.pool.dir");
        Path p = dir != null ? Path.of(dir) : Path.of("../../shared/conformance-pool");
        assertTrue(Files.isDirectory(p), "pooling conformance data not found at " + p.toAbsolutePath());
        return p;
    }

    static Stream<String> cases() throws IOException {
        try (Stream<Path> dirs = Files.list(poolDir())) {
            List<String> names = dirs.filter(d -> Files.exists(d.resolve("golden.safetensors")))
                    .map(d -> d.getFileName().toString()).sorted().toList();
            assertTrue(names.size() >= 64, "expected 62 single cases and 2 stacks, found " + names.size());
            return names.stream();
        }
    }

    private static boolean isMaxOnly(ModelSpec spec) {
        return !spec.stack() && spec.layers().get(0) instanceof PoolLayerSpec p && p.reduction() == PoolReduction.MAX;
    }

    private static void assertMatches(String what, Tensor out, ConformanceTest.Golden g, boolean exact) {
        if (exact) {
            assertEquals(g.y64().length, out.data().length, what + ": output size");
            for (int i = 0; i < g.y64().length; i++) {
                assertEquals(g.y64()[i], out.data()[i], 0.0, what + ": element " + i + " (max pooling is exact)");
            }
            return;
        }
        double ours = ConformanceTest.relativeError(out.data(), g.y64());
        assertTrue(ours <= ConformanceTest.TOLERANCE, what + ": max|y - y64| / max|y64| = " + ours);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesEquinox(String name) {
        Path dir = poolDir().resolve(name);
        ModelSpec spec = SpecParser.parse(dir.resolve("spec.json"));
        ConformanceTest.Golden g = ConformanceTest.golden(dir);
        boolean exact = isMaxOnly(spec);

        Model fromKey = Model.fromSpec(spec);
        Tensor y = fromKey.applyBatch(g.x());
        assertArrayEquals(yShape(dir), y.shape(), name + ": output shape");
        assertMatches(name + " (default engine)", y, g, exact);
        assertMatches(name + " (one thread)", fromKey.applyBatch(g.x(), 1), g, exact);

        Model reference = Model.fromSpec(spec, Model.ParamsSource.fromKeys(), new ReferenceConv());
        assertMatches(name + " (reference conv engine)", reference.applyBatch(g.x()), g, exact);

        if (Files.exists(dir.resolve("weights.safetensors"))) {
            Model fromFile = Model.fromSpec(spec, ModelWeights.load(spec, dir.resolve("weights.safetensors")).asSource());
            assertMatches(name + " (weights.safetensors)", fromFile.applyBatch(g.x()), g, exact);
        }
        if (Files.exists(dir.resolve("model.eqx"))) {
            Model fromEqx = Model.fromSpec(spec, ModelWeights.load(spec, dir.resolve("model.eqx")).asSource());
            assertMatches(name + " (model.eqx)", fromEqx.applyBatch(g.x()), g, exact);
        }

        double equinoxErr = ConformanceTest.relativeError(g.y(), g.y64());
        double ours = ConformanceTest.relativeError(y.data(), g.y64());
        if (equinoxErr > 0) ratios.add(ours / equinoxErr);
    }

    private static int[] yShape(Path dir) {
        try (SafetensorsReader reader = SafetensorsReader.open(dir.resolve("golden.safetensors"))) {
            return reader.read("y").shape();
        }
    }

    @Test
    void outputShapesMatchIndex() throws IOException {
        JsonNode index = new ObjectMapper().readTree(poolDir().resolve("index.json").toFile());
        int checked = 0;
        for (JsonNode entry : index) {
            String name = entry.get("case").asText();
            ModelSpec spec = SpecParser.parse(poolDir().resolve(name).resolve("spec.json"));
            assertEquals(SpecParser.parse(entry.get("spec").toString()), spec, name + ": index spec = spec.json");
            int[] x = toInts(entry.get("x"));
            int[] yShape = toInts(entry.get("y"));
            int[] sample = Arrays.copyOfRange(x, 1, x.length);
            int[] expected = Arrays.copyOfRange(yShape, 1, yShape.length);
            assertArrayEquals(expected, Model.fromSpec(spec).outputShape(sample), name + " (Model)");
            assertArrayEquals(expected, io.convjob.shape.ModelChecks.checkInputShape(spec, sample), name + " (ModelChecks)");
            checked++;
        }
        assertEquals(64, checked, "index.json cases");
    }

    @Test
    void everyPoolingClassIsCovered() throws IOException {
        List<String> classes = new ArrayList<>();
        for (String name : cases().toList()) {
            for (var layer : SpecParser.parse(poolDir().resolve(name).resolve("spec.json")).layers()) {
                if (layer instanceof PoolLayerSpec p && !classes.contains(p.layerName())) classes.add(p.layerName());
            }
        }
        for (String base : List.of("MaxPool", "AvgPool", "AdaptiveMaxPool", "AdaptiveAvgPool")) {
            for (int n = 1; n <= 3; n++) assertTrue(classes.contains(base + n + "d"), base + n + "d has no case");
        }
    }

    static int[] toInts(JsonNode node) {
        int[] a = new int[node.size()];
        for (int i = 0; i < a.length; i++) a[i] = node.get(i).asInt();
        return a;
    }

    @AfterAll
    static void report() throws IOException {
        if (ratios.isEmpty()) return;
        List<Double> sorted = new ArrayList<>(ratios);
        Collections.sort(sorted);
        String line = String.format("pool conformance: %d cases with equinox float32 error > 0, median(our error /"
                + " equinox float32 error) = %.3f, max = %.3f%n", sorted.size(), sorted.get(sorted.size() / 2),
                sorted.get(sorted.size() - 1));
        System.out.print(line);
        Path report = Path.of("target", "pool-conformance-report.txt");
        Files.createDirectories(report.getParent());
        Files.writeString(report, line);
    }
}
