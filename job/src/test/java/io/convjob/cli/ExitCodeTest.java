package io.convjob.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** Bad input of every kind: exit code 2, one line on stderr naming what is wrong, no output file. */
class ExitCodeTest {
    @TempDir Path tmp;

    private Path write(String name, String text) throws IOException {
        Path p = tmp.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    private void assertBadInput(String expectedLine, String... args) {
        CliRun run = CliRun.of(args);
        List<String> lines = ApplyCommandTest.errorLines(run);
        assertEquals(2, run.code(), run.err());
        assertEquals(List.of(expectedLine), lines);
        assertFalse(Files.exists(tmp.resolve("out.arrow")), "no output after a failure");
        assertFalse(Files.exists(tmp.resolve("out.npy")), "no output after a failure");
    }

    @Test
    void specRejectedNamingTheArgument() throws IOException {
        Path spec = write("s.json", "{\"layers\": [{\"layer\": \"Conv2d\", \"in_channels\": 4, \"out_channels\": 4,"
                + " \"kernel_size\": 3, \"key\": 0}, {\"layer\": \"relu\"}, {\"layer\": \"ConvTranspose2d\","
                + " \"in_channels\": 4, \"out_channels\": 4, \"kernel_size\": 3, \"stride\": 2, \"output_padding\": 2,"
                + " \"key\": 1}]}");
        Path input = ApplyCommandTest.conformance().resolve("hand_00_conv2d/input.arrow");
        assertBadInput("error: layers[2].output_padding: must be < stride (elementwise), got [2, 2] vs [2, 2]",
                "apply", "--spec", spec.toString(), "--input", input.toString(),
                "--output", tmp.resolve("out.arrow").toString());
    }

    @Test
    void inputChannelsMustMatch() throws IOException {
        Path spec = write("s.json", "{\"layer\": \"Conv2d\", \"in_channels\": 5, \"out_channels\": 4, \"kernel_size\": 3, \"key\": 0}");
        Path input = ApplyCommandTest.conformance().resolve("hand_00_conv2d/input.arrow");
        CliRun run = CliRun.of("apply", "--spec", spec.toString(), "--input", input.toString(),
                "--output", tmp.resolve("out.arrow").toString());
        assertEquals(2, run.code(), run.err());
        List<String> lines = ApplyCommandTest.errorLines(run);
        assertEquals(1, lines.size(), run.err());
        assertEquals(true, lines.get(0).startsWith("error: ") && lines.get(0).contains("in_channels"), lines.get(0));
        assertFalse(Files.exists(tmp.resolve("out.arrow")));
    }

    @Test
    void weightFileWithWrongShape() {
        Path dir = ApplyCommandTest.conformance().resolve("hand_00_conv2d");
        Path other = ApplyCommandTest.conformance().resolve("hand_04_conv2d/weights.safetensors");
        CliRun run = CliRun.of("apply", "--spec", dir.resolve("spec.json").toString(), "--weights", other.toString(),
                "--input", dir.resolve("input.arrow").toString(), "--output", tmp.resolve("out.arrow").toString());
        assertEquals(2, run.code(), run.err());
        List<String> lines = ApplyCommandTest.errorLines(run);
        assertEquals(1, lines.size(), run.err());
        assertEquals(true, lines.get(0).startsWith("error: " + other + ": tensor 'weight' has shape"), lines.get(0));
    }

    @Test
    void missingInputFile() throws IOException {
        Path spec = write("s.json", "{\"layer\": \"Conv2d\", \"in_channels\": 3, \"out_channels\": 4, \"kernel_size\": 3, \"key\": 0}");
        assertBadInput("error: " + tmp.resolve("nope.arrow") + ": no such file", "apply", "--spec", spec.toString(),
                "--input", tmp.resolve("nope.arrow").toString(), "--output", tmp.resolve("out.arrow").toString());
    }

    @Test
    void notATensorFile() throws IOException {
        Path spec = write("s.json", "{\"layer\": \"Conv2d\", \"in_channels\": 3, \"out_channels\": 4, \"kernel_size\": 3, \"key\": 0}");
        Path junk = write("junk.arrow", "this is not arrow");
        CliRun run = CliRun.of("apply", "--spec", spec.toString(), "--input", junk.toString(),
                "--output", tmp.resolve("out.arrow").toString());
        assertEquals(2, run.code(), run.err());
        assertEquals(1, ApplyCommandTest.errorLines(run).size(), run.err());
        assertFalse(Files.exists(tmp.resolve("out.arrow")));
    }

    @Test
    void unknownOptionAndMissingSubcommand() {
        CliRun run = CliRun.of("apply", "--spek", "x");
        assertEquals(2, run.code());
        assertEquals(1, ApplyCommandTest.errorLines(run).size(), run.err());
        assertEquals(2, CliRun.of().code());
    }

    @Test
    void helpListsExitCodes() {
        CliRun run = CliRun.of("--help");
        assertEquals(0, run.code());
        assertEquals(true, run.out().contains("Exit codes:") && run.out().contains("apply"), run.out());
    }
}
