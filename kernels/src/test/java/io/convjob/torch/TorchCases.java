package io.convjob.torch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The files the real PyTorch writes for these tests: {@code src/test/python/torch_cases.py} run once per JVM in
 * the project's Python environment ({@code .ci/pyenv}, which makes it on first use).
 */
final class TorchCases {
    private TorchCases() {}

    /** One model case: its directory, weights prefix, and whether it needs pooling layers. */
    record Case(String name, Path dir, String prefix, int[] inputShape, boolean pooling) {
        @Override public String toString() { return name; }
    }

    private static Path dir;

    static synchronized Path dir() {
        if (dir == null) dir = generate();
        return dir;
    }

    static List<Case> cases() {
        try {
            JsonNode list = new ObjectMapper().readTree(dir().resolve("cases.json").toFile());
            List<Case> out = new ArrayList<>();
            for (JsonNode c : list) {
                int[] shape = new int[c.get("input_shape").size()];
                for (int i = 0; i < shape.length; i++) shape[i] = c.get("input_shape").get(i).intValue();
                out.add(new Case(c.get("name").textValue(), dir().resolve(c.get("name").textValue()),
                        c.get("prefix").textValue(), shape, c.get("pooling").booleanValue()));
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Path generate() {
        Path root = Path.of(System.getProperty("convjob.root", "..")).toAbsolutePath().normalize();
        Path out = root.resolve("kernels/target/torch-cases");
        String python = lastLine(run(root, List.of("bash", root.resolve(".ci/pyenv").toString())));
        run(root, List.of(python, root.resolve("kernels/src/test/python/torch_cases.py").toString(), out.toString()));
        return out;
    }

    private static String run(Path root, List<String> command) {
        try {
            Path log = Files.createTempFile("torch-cases", ".log");
            Process p = new ProcessBuilder(command).directory(root.toFile())
                    .redirectError(log.toFile()).start();
            String stdout = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed:\n" + Files.readString(log));
            }
            return stdout;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String lastLine(String text) {
        String[] lines = text.strip().split("\\R");
        return lines[lines.length - 1].strip();
    }
}
