package io.convjob.spec;

import io.convjob.shape.ModelChecks;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The specs equinox produced, rejected or accepted, read by our parser and shape checks. */
class ConformanceSpecTest {
    private static final Path DIR = Path.of(System.getProperty("conformance.dir", "../shared/conformance"));
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Our line for each "error" entry of errors.json, by index; each names the argument equinox named. */
    private static final Map<Integer, String> EXPECTED_LINES = Map.of(
            0, "groups: in_channels (=3) must be divisible by groups (=2)",
            1, "kernel_size: length of [3, 3, 3] is 3, expected 2 (num_spatial_dims)",
            2, "padding: string must be SAME, SAME_LOWER or VALID (any case), got \"FULL\"",
            3, "padding_mode: must be ZEROS, REFLECT, REPLICATE or CIRCULAR (any case), got \"MIRROR\"",
            4, "stride: length of [1] is 1, expected 2 (num_spatial_dims)",
            5, "output_padding: must be < stride (elementwise), got [2, 2] vs [2, 2]",
            6, "padding_mode: REFLECT is not supported by equinox for ConvTranspose (only ZEROS and CIRCULAR)",
            7, "padding: ConvTranspose with padding_mode CIRCULAR needs padding SAME or SAME_LOWER (not supported"
                    + " by equinox otherwise), got [[1, 1], [1, 1]]",
            8, "groups: out_channels (=3) must be divisible by groups (=2)",
            10, "input: Conv needs rank 3 (channels, 2 spatial dims), got shape [4, 8]");

    static Stream<Integer> errorEntries() throws IOException {
        return IntStream.range(0, JSON.readTree(DIR.resolve("errors.json").toFile()).size()).boxed();
    }

    @ParameterizedTest(name = "errors.json[{0}]")
    @MethodSource("errorEntries")
    void errorsJsonEntry(int index) throws IOException {
        JsonNode entry = JSON.readTree(DIR.resolve("errors.json").toFile()).get(index);
        String spec = entry.get("spec").toString();
        int[] input = ints(entry.get("input_shape"));
        String result = entry.get("result").asText();
        if (result.equals("ok")) {
            assertFalse(EXPECTED_LINES.containsKey(index), "an ok entry has no error line");
            assertArrayEquals(ints(entry.get("output_shape")),
                    ModelChecks.checkInputShape(SpecParser.parse(spec), input));
            return;
        }
        assertEquals("error", result);
        SpecException e = assertThrows(SpecException.class,
                () -> ModelChecks.checkInputShape(SpecParser.parse(spec), input));
        assertEquals(EXPECTED_LINES.get(index), e.getMessage());
        // the line leads with an argument the spec gives (or the input), and keeps unsupported apart
        String argument = e.getMessage().substring(0, e.getMessage().indexOf(':'));
        assertTrue(entry.get("spec").has(argument) || argument.equals("input"), argument);
        assertEquals(entry.get("error").asText().startsWith("NotImplementedError"),
                e.getMessage().contains("not supported by equinox"));
    }

    @Test
    void everyErrorEntryIsCovered() throws IOException {
        JsonNode entries = JSON.readTree(DIR.resolve("errors.json").toFile());
        List<Integer> errors = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            if (entries.get(i).get("result").asText().equals("error")) errors.add(i);
        }
        assertEquals(EXPECTED_LINES.keySet().stream().sorted().toList(), errors);
    }

    static Stream<String> indexedCases() throws IOException {
        List<String> cases = new ArrayList<>();
        for (JsonNode c : JSON.readTree(DIR.resolve("index.json").toFile())) cases.add(c.get("case").asText());
        return cases.stream();
    }

    /** Every case in index.json: its spec parses and maps the sample shape of x to that of y. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("indexedCases")
    void caseShapes(String name) throws IOException {
        JsonNode entry = null;
        for (JsonNode c : JSON.readTree(DIR.resolve("index.json").toFile())) {
            if (c.get("case").asText().equals(name)) entry = c;
        }
        int[] x = ints(entry.get("x"));
        int[] y = ints(entry.get("y"));
        ModelSpec model = SpecParser.parse(DIR.resolve(name).resolve("spec.json"));
        int[] out = ModelChecks.checkInputShape(model, java.util.Arrays.copyOfRange(x, 1, x.length));
        assertArrayEquals(java.util.Arrays.copyOfRange(y, 1, y.length), out);
    }

    @Test
    void everyCaseFolderIsIndexed() throws IOException {
        List<String> indexed = indexedCases().sorted().toList();
        List<String> folders;
        try (Stream<Path> s = Files.list(DIR)) {
            folders = s.filter(p -> Files.isRegularFile(p.resolve("spec.json")))
                    .map(p -> p.getFileName().toString())
                    .filter(n -> !n.equals("dataset_e2e"))
                    .sorted().toList();
        }
        assertEquals(indexed, folders);
    }

    /** dataset_e2e: the stack maps the input files' tensor shape to the expected files' one. */
    @Test
    void datasetE2eShapes() throws IOException {
        Path e2e = DIR.resolve("dataset_e2e");
        ModelSpec model = SpecParser.parse(e2e.resolve("spec.json"));
        assertTrue(model.stack());
        int[] in = arrowTensorShape(e2e.resolve("input/part-00000.arrow"));
        int[] expected = arrowTensorShape(e2e.resolve("expected/part-00000.arrow"));
        assertArrayEquals(expected, ModelChecks.checkInputShape(model, in));
    }

    /**
     * The {@code shape} of the {@code arrow.fixed_shape_tensor} extension metadata, read from the JSON
     * text the Arrow IPC schema holds (kernels has no Arrow dependency).
     */
    private static int[] arrowTensorShape(Path file) throws IOException {
        String bytes = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
        int start = bytes.indexOf("{\"shape\"");
        assertTrue(start >= 0, "no fixed_shape_tensor metadata in " + file);
        return ints(JSON.readTree(bytes.substring(start, bytes.indexOf('}', start) + 1)).get("shape"));
    }

    private static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) out[i] = array.get(i).intValue();
        return out;
    }
}
