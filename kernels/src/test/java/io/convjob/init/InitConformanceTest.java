package io.convjob.init;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The acceptance test of the init port: for every conformance case with a weight file, the weights and
 * biases equinox initialised from the spec's keys equal ours bit for bit (JAX 0.11.2, partitionable).
 */
class InitConformanceTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final boolean PARTITIONABLE = true;

    @TestFactory
    List<DynamicTest> everyCaseInitialisesLikeEquinox() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(ConformanceFiles.dir())) {
            dirs.filter(d -> Files.isRegularFile(d.resolve("spec.json")) && Files.isRegularFile(d.resolve("weights.safetensors")))
                    .sorted()
                    .forEach(d -> tests.add(DynamicTest.dynamicTest(d.getFileName().toString(), () -> checkCase(d))));
        }
        // 114 cases were generated; a wrong conformance.dir must not pass by finding none.
        assertTrue(tests.size() >= 100, "only " + tests.size() + " conformance cases found in " + ConformanceFiles.dir());
        return tests;
    }

    private static void checkCase(Path dir) throws IOException {
        JsonNode spec = JSON.readTree(dir.resolve("spec.json").toFile());
        Map<String, Tensor> tensors = readSafetensors(dir.resolve("weights.safetensors"));
        TreeSet<String> unchecked = new TreeSet<>(tensors.keySet());
        if (spec.has("layers")) {
            JsonNode layers = spec.get("layers");
            for (int i = 0; i < layers.size(); i++) {
                if (isConv(layers.get(i))) checkLayer(layers.get(i), "layers." + i + ".", tensors, unchecked);
            }
        } else {
            assertTrue(isConv(spec), "not a conv layer: " + spec.path("layer"));
            checkLayer(spec, "", tensors, unchecked);
        }
        assertTrue(unchecked.isEmpty(), "tensors not produced by init: " + unchecked);
    }

    private static boolean isConv(JsonNode layer) {
        String name = layer.path("layer").asText();
        return name.equals("Conv") || name.equals("ConvTranspose");
    }

    private static void checkLayer(JsonNode layer, String prefix, Map<String, Tensor> tensors, TreeSet<String> unchecked) {
        int n = layer.get("num_spatial_dims").asInt();
        int in = layer.get("in_channels").asInt();
        int out = layer.get("out_channels").asInt();
        int groups = layer.path("groups").asInt(1);
        boolean useBias = layer.path("use_bias").asBoolean(true);
        JsonNode ks = layer.get("kernel_size");
        int[] kernel = new int[n];
        for (int d = 0; d < n; d++) kernel[d] = ks.isArray() ? ks.get(d).asInt() : ks.asInt();

        ConvParams params = EquinoxInit.init(key(layer.get("key")), PARTITIONABLE, out, in / groups, kernel, useBias);

        int[] weightShape = new int[n + 2];
        weightShape[0] = out;
        weightShape[1] = in / groups;
        System.arraycopy(kernel, 0, weightShape, 2, n);
        assertBitEqual(tensors, prefix + "weight", weightShape, params.weight());
        unchecked.remove(prefix + "weight");
        if (useBias) {
            int[] biasShape = new int[n + 1];
            Arrays.fill(biasShape, 1);
            biasShape[0] = out;
            assertBitEqual(tensors, prefix + "bias", biasShape, params.bias());
            unchecked.remove(prefix + "bias");
        }
    }

    /** An int seed is {@code PRNGKey(seed)}; a pair is the two key words. */
    private static PrngKey key(JsonNode key) {
        return key.isArray() ? PrngKey.fromWords(key.get(0).asLong(), key.get(1).asLong()) : PrngKey.fromSeed(key.asLong());
    }

    private static void assertBitEqual(Map<String, Tensor> tensors, String name, int[] shape, float[] actual) {
        Tensor expected = tensors.get(name);
        assertTrue(expected != null, "no tensor " + name);
        assertArrayEquals(shape, expected.shape(), name + " shape");
        assertEquals(expected.values().length, actual.length, name + " size");
        for (int i = 0; i < actual.length; i++) {
            int want = Float.floatToRawIntBits(expected.values()[i]);
            int got = Float.floatToRawIntBits(actual[i]);
            if (want != got) {
                throw new AssertionError(name + "[flat " + i + "]: expected " + expected.values()[i] + " (0x"
                        + Integer.toHexString(want) + ") but was " + actual[i] + " (0x" + Integer.toHexString(got) + ")");
            }
        }
    }

    private record Tensor(int[] shape, float[] values) {}

    /**
     * A minimal F32-only safetensors reader for this test: an 8-byte little-endian header length, a JSON
     * header of {name: {dtype, shape, data_offsets}}, then the data (offsets relative to its start).
     */
    private static Map<String, Tensor> readSafetensors(Path file) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        int headerLength = Math.toIntExact(bytes.getLong(0));
        JsonNode header = JSON.readTree(new String(bytes.array(), 8, headerLength, StandardCharsets.UTF_8));
        int dataStart = 8 + headerLength;
        Map<String, Tensor> tensors = new HashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            if (entry.getKey().equals("__metadata__")) continue;
            JsonNode info = entry.getValue();
            assertEquals("F32", info.get("dtype").asText(), entry.getKey() + " dtype in " + file);
            int[] shape = new int[info.get("shape").size()];
            for (int d = 0; d < shape.length; d++) shape[d] = info.get("shape").get(d).asInt();
            int begin = dataStart + info.get("data_offsets").get(0).asInt();
            int end = dataStart + info.get("data_offsets").get(1).asInt();
            float[] values = new float[(end - begin) / Float.BYTES];
            for (int i = 0; i < values.length; i++) values[i] = bytes.getFloat(begin + i * Float.BYTES);
            tensors.put(entry.getKey(), new Tensor(shape, values));
        }
        return tensors;
    }
}
