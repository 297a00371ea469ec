package io.convjob;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.convjob.shape.ModelChecks;
import io.convjob.spec.ModelSpec;
import io.convjob.spec.SpecException;
import io.convjob.spec.SpecParser;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * ../shared/conformance-pool/errors.json: every spec equinox rejects is rejected with our one line naming the
 * argument, when the spec loads, or, for what equinox refuses only when called with a given input shape, at the
 * shape check (and by the model itself); every unusual result equinox accepts is reproduced value for value.
 */
class PoolErrorsTest {
    /** Our message for each error case of errors.json, in file order (null for the "ok" cases). */
    private static final List<String> EXPECTED = Arrays.asList(
            "padding: must be <= kernel_size in every dim (equinox refuses wider padding when called), got"
                    + " [[3, 3], [3, 3]] vs kernel_size [2, 2]",
            "kernel_size: length of [3, 3, 3] is 3, expected 2 (num_spatial_dims)",
            "padding: length of [1] is 1, expected 2 (num_spatial_dims)",
            "padding: use_ceil raises the right padding of spatial dim 0 to 3 (padding 0 + stride 3) for input size 7,"
                    + " more than kernel_size 2 (equinox refuses this when called)",
            null,
            "stride: must be >= 1 in every dim, got [0, 0]",
            "input: MaxPool2d needs rank 3 (channels, 2 spatial dims), got shape [1, 8]",
            "target_shape: length of [2] is 1, expected 2 (num_spatial_dims)",
            "target_shape: 6 in spatial dim 0 is larger than the input size 5 (equinox's adaptive pooling needs"
                    + " 1 <= target <= size; it fails with ZeroDivisionError)",
            "input: AdaptiveMaxPool2d needs rank 3 (channels, 2 spatial dims), got shape [1, 4, 4, 4]",
            null,
            null);

    private static JsonNode cases() throws IOException {
        return new ObjectMapper().readTree(PoolConformanceTest.poolDir().resolve("errors.json").toFile());
    }

    @Test
    void everyCaseOfErrorsJsonIsCovered() throws IOException {
        JsonNode cases = cases();
        assertEquals(EXPECTED.size(), cases.size(), "errors.json grew: add the new cases here");
        for (int i = 0; i < cases.size(); i++) {
            boolean error = cases.get(i).get("result").asText().equals("error");
            assertEquals(error, EXPECTED.get(i) != null, "case " + i + ": " + cases.get(i).get("note").asText());
        }
    }

    @Test
    void rejectedSpecsGiveOneLineNamingTheArgument() throws IOException {
        JsonNode cases = cases();
        int rejected = 0;
        for (int i = 0; i < cases.size(); i++) {
            JsonNode c = cases.get(i);
            if (EXPECTED.get(i) == null) continue;
            String expected = EXPECTED.get(i);
            String json = c.get("spec").toString();
            int[] input = PoolConformanceTest.toInts(c.get("input_shape"));
            boolean atConstruction = c.get("stage").asText().equals("construct");
            String what = "case " + i + " " + json + " on " + Arrays.toString(input);

            String single = rejection(json, input);
            assertEquals(expected, single, what);
            assertFalse(single.contains("\n"), what + ": one line");
            if (atConstruction) {
                assertThrows(SpecException.class, () -> SpecParser.parse(json), what + ": rejected when loaded");
            }
            // in a stack the line is led by the entry's path
            String stacked = rejection("{\"layers\": [" + json + "]}", input);
            String stackExpected = expected.startsWith("input: ")
                    ? expected.replaceFirst("^input: (\\w+)", "input: layers[0] ($1)")
                    : "layers[0]." + expected;
            assertEquals(stackExpected, stacked, what + " in a stack");
            rejected++;
        }
        assertEquals(9, rejected);
    }

    /** The message of the first refusal: when the spec loads, else at the shape check (also by the model). */
    private static String rejection(String json, int[] input) {
        ModelSpec spec;
        try {
            spec = SpecParser.parse(json);
        } catch (SpecException e) {
            return e.getMessage();
        }
        Model model = Model.fromSpec(spec);
        ShapeException byModel = assertThrows(ShapeException.class, () -> model.outputShape(input), json);
        try {
            ModelChecks.checkInputShape(spec, input);
        } catch (SpecException e) {
            String line = e.getMessage();
            assertTrue(byModel.getMessage().endsWith(line.replaceFirst("^layers\\[0]\\.", "")
                    .replaceFirst("^input: layers\\[0] \\((\\w+)\\)", "input: $1")), byModel.getMessage());
            return line;
        }
        return fail(json + " on " + Arrays.toString(input) + " was accepted");
    }

    @Test
    void acceptedOddCasesGiveEquinoxsValues() throws IOException {
        JsonNode cases = cases();
        int checked = 0;
        for (int i = 0; i < cases.size(); i++) {
            JsonNode c = cases.get(i);
            if (EXPECTED.get(i) != null) continue;
            ModelSpec spec = SpecParser.parse(c.get("spec").toString());
            int[] input = PoolConformanceTest.toInts(c.get("input_shape"));
            int[] outShape = PoolConformanceTest.toInts(c.get("output_shape"));
            assertArrayEquals(outShape, ModelChecks.checkInputShape(spec, input), "case " + i);
            float[] ones = new float[Math.toIntExact(Tensor.elementCount(input))];
            Arrays.fill(ones, 1f);
            Tensor y = Model.fromSpec(spec).apply(new Tensor(input, ones));
            assertArrayEquals(outShape, y.shape(), "case " + i);
            if (c.has("output")) {
                JsonNode expected = c.get("output");
                assertEquals(expected.size(), y.data().length, "case " + i);
                for (int j = 0; j < expected.size(); j++) {
                    JsonNode v = expected.get(j);
                    float want = v.isTextual() ? Float.parseFloat(v.asText().replace("inf", "Infinity")) : v.floatValue();
                    assertEquals(want, y.data()[j], 0f, "case " + i + " element " + j);
                }
            }
            checked++;
        }
        assertEquals(3, checked);
    }
}
