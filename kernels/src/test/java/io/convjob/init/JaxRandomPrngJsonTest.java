package io.convjob.init;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every value JAX itself produced in {@code prng.json}, under both {@code jax_threefry_partitionable}
 * settings. Entries are named by the Python expression that produced them, which is parsed here for the
 * arguments; an entry of an unknown form fails rather than being skipped.
 */
class JaxRandomPrngJsonTest {

    private static final String SEED = "PRNGKey\\((-?\\d+)\\)";
    private static final String SHAPE = "\\(([\\d,\\s]*)\\)";
    private static final String NUMBER = "(-?[\\d.eE+-]+)";
    private static final Pattern PRNG_KEY = Pattern.compile(SEED);
    private static final Pattern SPLIT = Pattern.compile("split\\(" + SEED + ",(\\d+)\\)");
    private static final Pattern BITS = Pattern.compile("bits\\(" + SEED + "," + SHAPE + "\\)");
    private static final Pattern UNIFORM_BITS =
            Pattern.compile("uniform\\(" + SEED + "," + SHAPE + "," + NUMBER + "," + NUMBER + "\\)\\.bits");
    /** The generator's note that it could not reach JAX's internal threefry; it holds no value. */
    private static final String GENERATOR_NOTE = "threefry_error";

    @TestFactory
    List<DynamicTest> everyPrngJsonValue() throws IOException {
        JsonNode root = new ObjectMapper().readTree(ConformanceFiles.dir().resolve("prng.json").toFile());
        List<DynamicTest> tests = new ArrayList<>();
        for (boolean partitionable : new boolean[] {true, false}) {
            String section = "partitionable_" + (partitionable ? "True" : "False");
            JsonNode values = root.get(section);
            assertTrue(values != null && values.size() > 0, "prng.json has no " + section);
            for (Iterator<Map.Entry<String, JsonNode>> it = values.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> entry = it.next();
                if (entry.getKey().equals(GENERATOR_NOTE)) continue;
                tests.add(DynamicTest.dynamicTest(section + " " + entry.getKey(),
                        () -> check(entry.getKey(), entry.getValue(), partitionable)));
            }
        }
        assertFalse(tests.isEmpty());
        return tests;
    }

    private static void check(String expression, JsonNode expected, boolean partitionable) {
        Matcher m;
        if ((m = PRNG_KEY.matcher(expression)).matches()) {
            PrngKey key = seed(m.group(1));
            assertArrayEquals(flatWords(expected), new int[] {key.k0(), key.k1()});
        } else if ((m = SPLIT.matcher(expression)).matches()) {
            PrngKey[] keys = JaxRandom.split(seed(m.group(1)), Integer.parseInt(m.group(2)), partitionable);
            assertEquals(keys.length, expected.size(), "number of keys");
            int[] words = new int[2 * keys.length];
            for (int j = 0; j < keys.length; j++) {
                words[2 * j] = keys[j].k0();
                words[2 * j + 1] = keys[j].k1();
            }
            assertArrayEquals(flatWords(expected), words);
        } else if ((m = BITS.matcher(expression)).matches()) {
            int[] shape = shape(m.group(2));
            assertArrayEquals(shape, jsonShape(expected), "shape");
            assertArrayEquals(flatWords(expected), JaxRandom.bits32(seed(m.group(1)), product(shape), partitionable));
        } else if ((m = UNIFORM_BITS.matcher(expression)).matches()) {
            int[] shape = shape(m.group(2));
            assertArrayEquals(shape, jsonShape(expected), "shape");
            // Python floats become float32 by round-to-nearest, as Java's double-to-float cast does.
            float minval = (float) Double.parseDouble(m.group(3));
            float maxval = (float) Double.parseDouble(m.group(4));
            float[] values = JaxRandom.uniform(seed(m.group(1)), product(shape), minval, maxval, partitionable);
            int[] bits = new int[values.length];
            for (int i = 0; i < values.length; i++) bits[i] = Float.floatToRawIntBits(values[i]);
            assertArrayEquals(flatWords(expected), bits);
        } else {
            throw new AssertionError("prng.json entry of an unknown form: " + expression);
        }
    }

    private static PrngKey seed(String text) {
        return PrngKey.fromSeed(Long.parseLong(text));
    }

    private static int[] shape(String text) {
        return text.isBlank() ? new int[0]
                : Arrays.stream(text.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                        .mapToInt(Integer::parseInt).toArray();
    }

    private static int product(int[] shape) {
        int p = 1;
        for (int d : shape) p *= d;
        return p;
    }

    /** The shape of a nested JSON array (a scalar has shape {@code ()}). */
    private static int[] jsonShape(JsonNode node) {
        List<Integer> dims = new ArrayList<>();
        for (JsonNode n = node; n.isArray(); n = n.get(0)) {
            dims.add(n.size());
            if (n.size() == 0) break;
        }
        return dims.stream().mapToInt(Integer::intValue).toArray();
    }

    /** A nested JSON array of uint32 numbers, flattened in C order to Java ints. */
    private static int[] flatWords(JsonNode node) {
        List<Long> words = new ArrayList<>();
        collect(node, words);
        int[] out = new int[words.size()];
        for (int i = 0; i < out.length; i++) out[i] = (int) (long) words.get(i);
        return out;
    }

    private static void collect(JsonNode node, List<Long> words) {
        if (node.isArray()) {
            for (JsonNode child : node) collect(child, words);
        } else {
            long w = node.asLong();
            assertTrue(node.canConvertToLong() && w >= 0 && w <= 0xFFFFFFFFL, "not a uint32: " + node);
            words.add(w);
        }
    }
}
