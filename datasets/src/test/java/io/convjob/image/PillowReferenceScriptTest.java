package io.convjob.image;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The committed Pillow references are what {@code src/test/python/pillow_reference.py} makes with the real Pillow
 * from the test virtualenv ({@code .ci/pyenv}): regenerated into {@code target/} and compared file by file.
 */
class PillowReferenceScriptTest {
    @Test
    void theScriptReproducesTheCommittedReferences() throws IOException, InterruptedException {
        Path root = Path.of(System.getProperty("convjob.root", ".."));
        String python = run(List.of("bash", root.resolve(".ci/pyenv").toString())).strip().lines().reduce((a, b) -> b).orElseThrow();
        Path out = Path.of("target/pillow-reference-regenerated");
        run(List.of(python, "src/test/python/pillow_reference.py", out.toString()));
        List<Path> committed;
        try (Stream<Path> files = Files.list(PillowReferenceTest.DIR)) {
            committed = files.sorted().toList();
        }
        try (Stream<Path> files = Files.list(out)) {
            assertEquals(committed.size(), files.count(), "files made by the script");
        }
        for (Path file : committed) {
            assertArrayEquals(Files.readAllBytes(file), Files.readAllBytes(out.resolve(file.getFileName())), file.toString());
        }
    }

    private static String run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new AssertionError(String.join(" ", command) + " failed: " + out);
        }
        return out;
    }
}
