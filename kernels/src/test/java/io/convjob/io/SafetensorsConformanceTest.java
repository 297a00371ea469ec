package io.convjob.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static io.convjob.io.TestFiles.assertSameBits;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every golden.safetensors written by the reference implementation reads back consistently with its case. */
class SafetensorsConformanceTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** The project's pass mark; equinox's own float32 y is within ~5e-7 of y64. */
    private static final double RELATIVE_TOLERANCE = 1e-5;

    @TestFactory
    Stream<DynamicTest> goldenFilesReadConsistently() {
        return TestFiles.casesWith("golden.safetensors", 100).stream()
                .map(dir -> DynamicTest.dynamicTest(dir.getFileName().toString(), () -> checkCase(dir)));
    }

    private static void checkCase(Path dir) throws IOException {
        JsonNode spec = JSON.readTree(dir.resolve("spec.json").toFile());
        Map<String, NamedTensor> weights = SafetensorsReader.readAll(dir.resolve("weights.safetensors"));
        try (SafetensorsReader golden = SafetensorsReader.open(dir.resolve("golden.safetensors"))) {
            assertEquals(spec, JSON.readTree(golden.metadata().get("spec")), "metadata 'spec' vs spec.json");
            assertEquals("0.13.8", golden.metadata().get("equinox"));

            NamedTensor x = golden.read("x");
            NamedTensor y = golden.read("y");
            NamedTensor y64 = golden.read("y64");
            assertEquals("F64", y64.sourceDtype());
            assertArrayEquals(y.shape(), y64.shape(), "y vs y64 shape");
            assertEquals(x.shape()[0], y.shape()[0], "batch");
            assertEquals(inChannels(spec), x.shape()[1], "x channels");
            assertEquals(outChannels(spec), y.shape()[1], "y channels");
            assertClose(y64.data(), y.data());

            Set<String> weightNames = new TreeSet<>();
            for (SafetensorsReader.Entry entry : golden.entries()) {
                if (!Set.of("x", "y", "y64", "key").contains(entry.name())) weightNames.add(entry.name());
            }
            assertEquals(weights.keySet(), weightNames, "weights in golden vs weights.safetensors");
            for (String name : weightNames) {
                NamedTensor expected = weights.get(name);
                NamedTensor actual = golden.read(name);
                assertArrayEquals(expected.shape(), actual.shape(), name);
                assertSameBits(expected.data(), actual.data(), name);
            }

            if (golden.contains("key")) assertArrayEquals(keyWords(spec.get("key")), golden.readIntegers("key"));
        }
    }

    /** max|y - y64| <= tolerance * max|y64|, the README's comparison. */
    private static void assertClose(float[] reference, float[] actual) {
        double maxError = 0;
        double scale = 0;
        for (int i = 0; i < reference.length; i++) {
            maxError = Math.max(maxError, Math.abs((double) actual[i] - reference[i]));
            scale = Math.max(scale, Math.abs(reference[i]));
        }
        assertTrue(maxError <= RELATIVE_TOLERANCE * scale, "max|y - y64| = " + maxError + ", max|y64| = " + scale);
    }

    /** {@code jax.random.PRNGKey(seed)} is {@code [0, seed]} for these non-negative 32-bit seeds; else the words. */
    private static long[] keyWords(JsonNode key) {
        if (key.isIntegralNumber()) return new long[] {0, key.longValue()};
        return new long[] {key.get(0).longValue(), key.get(1).longValue()};
    }

    private static List<JsonNode> convLayers(JsonNode spec) {
        List<JsonNode> layers = new ArrayList<>();
        if (!spec.has("layers")) return List.of(spec);
        spec.get("layers").forEach(layer -> {
            if (layer.has("in_channels")) layers.add(layer);
        });
        return layers;
    }

    private static int inChannels(JsonNode spec) {
        return convLayers(spec).get(0).get("in_channels").intValue();
    }

    private static int outChannels(JsonNode spec) {
        List<JsonNode> layers = convLayers(spec);
        return layers.get(layers.size() - 1).get("out_channels").intValue();
    }
}
