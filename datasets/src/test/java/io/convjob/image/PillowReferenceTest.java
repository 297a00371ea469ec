package io.convjob.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.convjob.io.NamedTensor;
import io.convjob.io.NpyReader;
import io.convjob.spec.ModelSpec;
import io.convjob.spec.Preprocess;
import io.convjob.spec.SpecParser;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Our decode + preprocess against the real Pillow: the golden data from {@code src/test/python/pillow_reference.py}
 * (Pillow decodes, converts and resizes; torchvision's CenterCrop, ToTensor and Normalize in numpy). Cases marked
 * {@code exact} must give the same integer image as Pillow, bit for bit, resize included, and the same tensor to
 * float32 rounding; the others (JPEG through another decoder, 16-bit RGB which Pillow cuts to 8 bits) must be within
 * 2/255 of Pillow's tensor before Normalize. The worst differences go to {@code target/pillow-comparison.txt}.
 */
class PillowReferenceTest {
    static final Path DIR = Path.of("src/test/resources/pillow-reference");
    static final double TOLERANCE = 2.0 / 255;
    static final double ROUNDING = 1e-6;
    private static final Map<String, String> REPORT = new TreeMap<>();

    @TestFactory
    List<DynamicTest> everyCaseMatchesPillow() throws IOException {
        JsonNode root = new ObjectMapper().readTree(DIR.resolve("cases.json").toFile());
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : root.get("cases")) tests.add(DynamicTest.dynamicTest(c.get("name").asText(), () -> check(c)));
        assertTrue(tests.size() >= 20, "cases.json holds " + tests.size() + " cases");
        return tests;
    }

    private static void check(JsonNode c) throws IOException {
        String name = c.get("name").asText();
        String file = c.get("image").asText();
        // the section as a spec carries it: through the real parser
        ModelSpec spec = SpecParser.parse("{\"preprocess\": " + c.get("preprocess") + ", \"layers\": [{\"layer\": \"relu\"}]}");
        Preprocess preprocess = spec.preprocess();
        ImagePreprocessor preprocessor = new ImagePreprocessor(preprocess);
        DecodedImage decoded = ImageDecoder.decode(Files.readAllBytes(DIR.resolve(file)), file);

        NamedTensor pixelsRef = NpyReader.read(DIR.resolve(name + ".pixels.npy"));
        NamedTensor tensorRef = NpyReader.read(DIR.resolve(name + ".tensor.npy"));
        int[] shape = preprocessor.outputShape();
        assertArrayEquals(tensorRef.shape(), shape, name + ": shape");

        DecodedImage pixels = preprocessor.pixels(decoded);
        float[] tensor = new float[tensorRef.data().length];
        preprocessor.apply(decoded, tensor, 0);

        boolean exact = c.get("match").asText().equals("exact");
        if (exact) {
            int[] expected = new int[pixelsRef.data().length];
            for (int i = 0; i < expected.length; i++) expected[i] = (int) pixelsRef.data()[i];
            int mismatches = 0;
            for (int i = 0; i < expected.length; i++) if (expected[i] != pixels.samples()[i]) mismatches++;
            assertEquals(0, mismatches, name + ": integer pixels differing from Pillow's (of " + expected.length + ")");
        }
        // before Normalize: undo it on both (x = t * std + mean is linear, so compare t * std)
        double[] std = stdPerChannel(preprocess, shape[0]);
        int plane = shape[1] * shape[2];
        double worst = 0;
        for (int i = 0; i < tensor.length; i++) {
            double d = Math.abs(tensor[i] - tensorRef.data()[i]) * std[i / plane];
            worst = Math.max(worst, d);
        }
        double limit = exact ? ROUNDING : TOLERANCE;
        REPORT.put(name, String.format("%-20s %-9s max |ours - Pillow| before Normalize = %.3g (%.3f/255)", name,
                exact ? "exact" : "tolerance", worst, worst * 255));
        if (worst > limit) fail(name + ": max difference " + worst + " > " + limit);
    }

    private static double[] stdPerChannel(Preprocess p, int channels) {
        double[] std = new double[channels];
        Arrays.fill(std, 1.0);
        if (p.std() != null) for (int c = 0; c < channels; c++) std[c] = p.std()[p.std().length == 1 ? 0 : c];
        return std;
    }

    @AfterAll
    static void writeReport() throws IOException {
        Path out = Path.of("target/pillow-comparison.txt");
        Files.createDirectories(out.getParent());
        Files.writeString(out, String.join("\n", REPORT.values()) + "\n");
    }
}
