package io.convjob.cli;

import io.convjob.arrow.TensorFileWriter;
import io.convjob.io.SafetensorsReader;
import io.convjob.job.TensorDirs;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * PyTorch checkpoints through the CLI: {@code run} on Spark with a PyTorch spec and a {@code .pt}, {@code import-torch},
 * and the bad-input exit code 2 with one line. The models and outputs come from the real PyTorch
 * ({@code kernels/src/test/python/torch_cases.py}).
 */
class TorchCliTest {

    private static Path cases;

    @TempDir Path tmp;

    @BeforeAll
    static void generate() throws Exception {
        Path root = Path.of(System.getProperty("convjob.root", "..")).toAbsolutePath().normalize();
        cases = root.resolve("job/target/torch-cases");
        String python = lastLine(exec(root, "bash", root.resolve(".ci/pyenv").toString()));
        exec(root, python, root.resolve("kernels/src/test/python/torch_cases.py").toString(), cases.toString(),
                "stack_activations", "prefixed", "vgg11_features");
    }

    @Test
    void runAppliesAPyTorchCheckpointOnSpark() throws IOException {
        Path c = cases.resolve("stack_activations");
        CliRun run = CliRun.of("run", "--spec", c.resolve("spec.json").toString(), "--weights",
                c.resolve("model.pt").toString(), "--input", arrowInput(c).toString(), "--output",
                tmp.resolve("out").toString(), "--master", "local[2]");
        assertEquals(0, run.code(), run.err());
        TensorDirs.assertMatches(expected(c), TensorDirs.read(tmp.resolve("out")));
    }

    /** The README's VGG example: conf/specs/vgg11-features-torch.json is the layer list PyTorch ran. */
    @Test
    void vgg11FeaturesRunOnSparkAsPyTorchComputesThem() throws IOException {
        Path c = cases.resolve("vgg11_features");
        Path root = Path.of(System.getProperty("convjob.root", "..")).toAbsolutePath().normalize();
        Path spec = root.resolve("conf/specs/vgg11-features-torch.json");
        assertEquals(io.convjob.spec.SpecParser.parse(c.resolve("spec.json")), io.convjob.spec.SpecParser.parse(spec));
        CliRun run = CliRun.of("run", "--spec", spec.toString(), "--weights", c.resolve("model.pt").toString(),
                "--weights-prefix", "features.", "--input", arrowInput(c).toString(), "--output",
                tmp.resolve("out").toString(), "--master", "local[2]");
        assertEquals(0, run.code(), run.err());
        assertTrue(run.out().startsWith("rows: 2 (rejected: 0), shape [3, 64, 64] -> [512, 2, 2]"), run.out());
        TensorDirs.assertMatches(expected(c), TensorDirs.read(tmp.resolve("out")));
    }

    @Test
    void runTakesAWeightsPrefix() throws IOException {
        Path c = cases.resolve("prefixed");
        CliRun run = CliRun.of("run", "--spec", c.resolve("spec.json").toString(), "--weights",
                c.resolve("model.safetensors").toString(), "--weights-prefix", "features.", "--input",
                arrowInput(c).toString(), "--output", tmp.resolve("out").toString(), "--master", "local[2]");
        assertEquals(0, run.code(), run.err());
        TensorDirs.assertMatches(expected(c), TensorDirs.read(tmp.resolve("out")));

        CliRun without = CliRun.of("run", "--spec", c.resolve("spec.json").toString(), "--weights",
                c.resolve("model.safetensors").toString(), "--input", arrowInput(c).toString(), "--output",
                tmp.resolve("out2").toString(), "--master", "local[2]");
        assertEquals(2, without.code());
        assertEquals("error: " + c.resolve("model.safetensors") + ": key '0.weight' is missing, the weight of layers[0]"
                + " (Conv2d); the file has 'classifier.bias', 'classifier.weight', 'features.0.bias', ... (6 keys)",
                without.errLines());
        assertFalse(Files.exists(tmp.resolve("out2")));
    }

    @Test
    void importTorchWritesEquinoxFilesTheOtherCommandsRun() throws IOException {
        Path c = cases.resolve("prefixed");
        Path weights = tmp.resolve("vgg.safetensors");
        CliRun imported = CliRun.of("import-torch", "--spec", c.resolve("spec.json").toString(), "--weights",
                c.resolve("model.pt").toString(), "--weights-prefix", "features.", "--output", weights.toString());
        assertEquals(0, imported.code(), imported.err());
        assertEquals("wrote " + weights + " (2 conv layers, equinox layout) and " + tmp.resolve("vgg.json"),
                imported.out().strip());
        try (SafetensorsReader reader = SafetensorsReader.open(weights)) {
            assertEquals(List.of("layers.0.bias", "layers.0.weight", "layers.2.bias", "layers.2.weight"),
                    reader.entries().stream().map(SafetensorsReader.Entry::name).toList());
            assertEquals("convjob import-torch", reader.metadata().get("producer"));
        }
        assertTrue(Files.readString(tmp.resolve("vgg.json")).contains("\"layer\" : \"Conv\""));

        CliRun run = CliRun.of("run", "--spec", tmp.resolve("vgg.json").toString(), "--weights", weights.toString(),
                "--input", arrowInput(c).toString(), "--output", tmp.resolve("out").toString(), "--master", "local[2]");
        assertEquals(0, run.code(), run.err());
        TensorDirs.assertMatches(expected(c), TensorDirs.read(tmp.resolve("out")));
        CliRun describe = CliRun.of("describe", "--spec", tmp.resolve("vgg.json").toString(), "--input-shape", "3,8,8");
        assertEquals(0, describe.code(), describe.err());
    }

    @Test
    void badCheckpointsExitTwoWithOneLineNamingFileAndKey() throws IOException {
        Path bad = cases.resolve("bad");
        String spec = bad.resolve("spec.json").toString();
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("missing.pt", ": key '2.bias' is missing, the bias of layers[2] (Conv2d) (bias=true)");
        expected.put("extra.pt", ": key '3.weight' matches no layer of the spec; use --weights-prefix to pick a sub-module");
        expected.put("shape.pt", ": key '2.weight' has shape [2, 4, 3, 3], layers[2] (Conv2d) needs [2, 4, 1, 1]");
        expected.put("int64.pt", ": key '0.weight' is a tensor of int64 (torch.LongStorage); supported: float32,"
                + " float16, bfloat16, float64");
        expected.put("full_model.pt", ": refused: the pickle names 'torch.nn.modules.container.Sequential' (a whole"
                + " pickled model, not a state dict: save model.state_dict() instead)");
        expected.put("evil.pt", ": refused: the pickle names 'posix.system' (not something a state dict holds;"
                + " nothing was executed)");
        Path truncated = tmp.resolve("truncated.pt");
        byte[] good = Files.readAllBytes(bad.resolve("good.pt"));
        Files.write(truncated, Arrays.copyOf(good, good.length - 100));
        for (Map.Entry<String, String> e : expected.entrySet()) {
            Path file = bad.resolve(e.getKey());
            CliRun run = CliRun.of("import-torch", "--spec", spec, "--weights", file.toString(), "--output",
                    tmp.resolve("w.safetensors").toString());
            assertEquals(2, run.code(), e.getKey() + ": " + run.err());
            assertEquals("error: " + file + e.getValue(), run.errLines());
        }
        CliRun cut = CliRun.of("run", "--spec", spec, "--weights", truncated.toString(), "--input",
                arrowInput(cases.resolve("prefixed")).toString(), "--output", tmp.resolve("o").toString(),
                "--master", "local[1]");
        assertEquals(2, cut.code(), cut.err());
        assertEquals("error: " + truncated + ": no zip end-of-central-directory record (truncated, or not a zip)",
                cut.errLines());
        assertFalse(Files.exists(bad.resolve("pwned")), "the malicious pickle ran");
        assertFalse(Files.exists(tmp.resolve("w.safetensors")), "a refused import left a file behind");
    }

    /** The case's input batch as an Arrow tensor file (ids 0..n-1). */
    private Path arrowInput(Path c) {
        Path dir = tmp.resolve("in-" + c.getFileName());
        if (Files.exists(dir)) return dir;
        try (SafetensorsReader io = SafetensorsReader.open(c.resolve("io.safetensors"));
             BufferAllocator allocator = new RootAllocator()) {
            Files.createDirectories(dir);
            var x = io.read("x");
            int[] sample = Arrays.copyOfRange(x.shape(), 1, x.rank());
            long[] ids = new long[x.shape()[0]];
            for (int i = 0; i < ids.length; i++) ids[i] = i;
            TensorFileWriter.writeFile(dir.resolve("part-0.arrow"), ids, x.data(), sample, 1, allocator);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return dir;
    }

    /** PyTorch's float64 output, as rows by id. */
    private static TensorDirs expected(Path c) {
        try (SafetensorsReader io = SafetensorsReader.open(c.resolve("io.safetensors"))) {
            double[] y = io.readDoubles("y");
            int[] shape = io.entries().stream().filter(e -> e.name().equals("y")).findFirst().orElseThrow().shape();
            int n = y.length / shape[0];
            Map<Long, float[]> rows = new java.util.TreeMap<>();
            for (int r = 0; r < shape[0]; r++) {
                float[] row = new float[n];
                for (int i = 0; i < n; i++) row[i] = (float) y[r * n + i];
                rows.put((long) r, row);
            }
            return new TensorDirs(Arrays.copyOfRange(shape, 1, shape.length), rows);
        }
    }

    private static String exec(Path dir, String... command) throws Exception {
        Path log = Files.createTempFile("torch-cases", ".log");
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectError(log.toFile()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed:\n" + Files.readString(log));
        }
        return out;
    }

    private static String lastLine(String text) {
        String[] lines = text.strip().split("\\R");
        return lines[lines.length - 1].strip();
    }
}
