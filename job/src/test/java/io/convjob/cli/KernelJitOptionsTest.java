package io.convjob.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.convjob.job.KernelJitOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.launcher.JavaModuleOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JIT options of {@code conf/kernel-jit.options}: a JVM started with them (as {@code ./convjob} starts one)
 * compiles every kernel method in the foreground and writes the same output.
 */
class KernelJitOptionsTest {
    /** A {@code -XX:+PrintCompilation} line: time, compile id, the five attribute columns, level, method. */
    private static final Pattern COMPILE = Pattern.compile("^\\s*\\d+\\s+\\d+ (.{5})\\s+\\d\\s+(\\S+)(.*)$");

    @TempDir Path dir;

    private static Path root() {
        return Path.of(System.getProperty("convjob.root", "..")).toAbsolutePath();
    }

    private static KernelJitOptions repoOptions() {
        return KernelJitOptions.read(root().resolve(KernelJitOptions.FILE));
    }

    @Test
    void theFileHoldsOnlyOptionLines() {
        List<String> options = repoOptions().options();
        assertFalse(options.isEmpty());
        for (String option : options) assertTrue(option.startsWith("-XX:CompileCommand="), option);
    }

    @Test
    void withTheOptionsEveryKernelCompileWaitsAndTheOutputIsTheSame() throws Exception {
        Path input = dir.resolve("in");
        assertEquals(0, CliRun.of("generate", "--output", input.toString(), "--rows", "48", "--shape", "3,32,32").code());
        Path spec = root().resolve("conf/specs/feature-stack.json");
        Path expected = dir.resolve("expected.arrow");
        CliRun inProcess = CliRun.of("apply", "--spec", spec.toString(), "--input", input.resolve("part-00000.arrow").toString(),
                "--output", expected.toString(), "--threads", "2");
        assertEquals(0, inProcess.code(), inProcess.err());

        String with = freshApply(spec, input, "with.arrow", repoOptions().options());
        assertEquals(-1, Files.mismatch(expected, dir.resolve("with.arrow")), "same bytes as the in-process apply");
        List<String> kernelCompiles = kernelCompiles(with);
        assertFalse(kernelCompiles.isEmpty(), with);
        for (String attributes : kernelCompiles) assertTrue(attributes.contains("b"), "a kernel compiled in the background");

        // and the attribute is the options' doing: without them no kernel compile waits
        String without = freshApply(spec, input, "without.arrow", List.of());
        assertEquals(-1, Files.mismatch(expected, dir.resolve("without.arrow")));
        assertTrue(kernelCompiles(without).stream().noneMatch(attributes -> attributes.contains("b")));
    }

    /** The attribute columns of each compile of an io.convjob.fast method (not the "made not entrant" lines). */
    private static List<String> kernelCompiles(String printCompilation) {
        List<String> attributes = new ArrayList<>();
        for (String line : printCompilation.split("\n")) {
            Matcher m = COMPILE.matcher(line);
            if (m.matches() && m.group(2).startsWith("io.convjob.fast.") && !m.group(3).contains("made not entrant")) {
                attributes.add(m.group(1));
            }
        }
        return attributes;
    }

    private String freshApply(Path spec, Path input, String output, List<String> jitOptions) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(Arrays.asList(JavaModuleOptions.defaultModuleOptionArray()));
        command.add("--add-modules=jdk.incubator.vector");
        command.add("-Xmx512m");
        command.addAll(jitOptions);
        command.addAll(List.of("-XX:+PrintCompilation", "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "apply", "--spec", spec.toString(), "--input", input.resolve("part-00000.arrow").toString(),
                "--output", dir.resolve(output).toString(), "--threads", "2"));
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), out);
        assertEquals(0, p.exitValue(), out);
        assertFalse(out.contains("CompileCommand: An error"), out);
        return out;
    }
}
