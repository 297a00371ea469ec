package io.convjob.cli;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 9, findings 1, 2, 3 and 6 through the real {@code Main}: sizes beyond Java's limits and memory beyond the
 * heap are exit 2 in one line before any work; every failure is one {@code error:} line with its exit code; stale
 * temporary files of ours are cleaned.
 */
class HardeningCliTest {
    @TempDir static Path shared;
    @TempDir Path tmp;

    private static Path rows40;
    private static Path rows2;

    @BeforeAll
    static void data() {
        rows40 = generate("rows40", 40);
        rows2 = generate("rows2", 2);
    }

    private static Path generate(String name, int rows) {
        Path dir = shared.resolve(name);
        CliRun run = CliRun.of("generate", "--shape", "3,16,16", "--rows", "" + rows, "--output", dir.toString());
        assertEquals(0, run.code(), run.err());
        return dir.resolve("part-00000.arrow");
    }

    private Path spec(String json) throws IOException {
        Path p = Files.createTempFile(tmp, "spec", ".json");
        Files.writeString(p, json);
        return p;
    }

    private static final String CONV = "{\"layer\": \"Conv2d\", \"in_channels\": 3, \"out_channels\": 4, \"kernel_size\": 3,"
            + " \"padding\": \"SAME\", \"key\": 0}";

    /** Exit 2, exactly one line on stderr, starting {@code error: } and containing {@code expected}. */
    private static String assertOneLine(CliRun run, String expected) {
        List<String> lines = ApplyCommandTest.errorLines(run);
        assertEquals(2, run.code(), run.err());
        assertEquals(1, lines.size(), run.err());
        assertTrue(lines.get(0).startsWith("error: ") && lines.get(0).contains(expected), lines.get(0));
        return lines.get(0);
    }

    // ---- finding 1: sizes

    @Test
    void aWeightNoArrayHoldsIsExit2InApplyInitAndDescribe() throws IOException {
        Path s = spec("{\"layer\": \"Conv2d\", \"in_channels\": 3, \"out_channels\": 1000000000, \"kernel_size\": 3,"
                + " \"padding\": \"SAME\", \"key\": 0}");
        String expected = "weight [1000000000, 3, 3, 3] (out_channels, in_channels / groups, *kernel_size) has"
                + " 27,000,000,000 elements, more than a Java array holds (2,147,483,639)";
        assertOneLine(CliRun.of("apply", "--spec", s.toString(), "--input", rows40.toString(), "--output",
                tmp.resolve("y.arrow").toString()), expected);
        assertOneLine(CliRun.of("init", "--spec", s.toString(), "--output", tmp.resolve("w.safetensors").toString()), expected);
        assertOneLine(CliRun.of("describe", "--spec", s.toString()), expected);
        Path k = spec("{\"layer\": \"Conv2d\", \"in_channels\": 3, \"out_channels\": 4, \"kernel_size\": 100000, \"key\": 0}");
        assertOneLine(CliRun.of("init", "--spec", k.toString(), "--output", tmp.resolve("w.safetensors").toString()),
                "120,000,000,000 elements, more than a Java array holds");
        assertFalse(Files.exists(tmp.resolve("y.arrow")));
        assertFalse(Files.exists(tmp.resolve("w.safetensors")));
    }

    @Test
    void hugePaddingAndStrideAreExit2NeverANegativeGflop() throws IOException {
        for (String s : List.of(
                "{\"layer\": \"Conv2d\", \"in_channels\": 3, \"out_channels\": 4, \"kernel_size\": 3, \"padding\": 1000000000, \"key\": 0}",
                "{\"layer\": \"Conv2d\", \"in_channels\": 3, \"out_channels\": 4, \"kernel_size\": 3, \"padding\": 100000, \"key\": 0}",
                "{\"layer\": \"ConvTranspose2d\", \"in_channels\": 3, \"out_channels\": 4, \"kernel_size\": 3, \"stride\": 1000, \"key\": 0}")) {
            Path p = spec(s);
            assertOneLine(CliRun.of("describe", "--spec", p.toString(), "--input-shape", "3,224,224"),
                    "more than a Java array holds");
            // on 16 x 16 rows the transposed conv's output fits an array, not the heap
            assertOneLine(CliRun.of("apply", "--spec", p.toString(), "--input", rows40.toString(), "--output",
                    tmp.resolve("y.arrow").toString()), s.contains("stride") ? "not enough memory" : "more than a Java array holds");
        }
        assertOneLine(CliRun.of("describe", "--spec", spec(CONV).toString(), "--input-shape", "3,65536,65536"),
                "input: shape [3, 65536, 65536] has 12,884,901,888 values per sample, more than a Java array holds");
    }

    @Test
    void describePrintsTheResourcePlan() throws IOException {
        CliRun run = CliRun.of("describe", "--spec", spec(CONV).toString(), "--input-shape", "3,16,16", "--batch-size", "8");
        assertEquals(0, run.code(), run.err());
        assertTrue(run.out().contains("resource plan (float32, 8 rows per batch):"), run.out());
        assertTrue(run.out().matches("(?s).*\\n  input per batch +24\\.0 KiB\\n.*"), run.out());
        assertTrue(run.out().matches("(?s).*\\n  output per batch +32\\.0 KiB\\n.*"), run.out());
        assertTrue(run.out().contains("limit: the heap (-Xmx "), run.out());
    }

    @Test
    void batchSizeAdaptsDownToTheRowsPresent() throws IOException {
        Path s = spec(CONV);
        CliRun big = CliRun.of("apply", "--spec", s.toString(), "--input", rows40.toString(), "--output",
                tmp.resolve("a.arrow").toString(), "--batch-size", "1000000");
        assertEquals(0, big.code(), big.err());
        assertTrue(big.out().startsWith("wrote " + tmp.resolve("a.arrow") + ": 40 samples"), big.out());
        CliRun two = CliRun.of("apply", "--spec", s.toString(), "--input", rows2.toString(), "--output",
                tmp.resolve("b.npy").toString());
        assertEquals(0, two.code(), two.err());
        assertTrue(Files.size(tmp.resolve("b.npy")) > 2 * 4 * 16 * 16 * 4);
    }

    @Test
    void npyOutputBeyondAnArrayIsRefusedBeforeAnyWork() throws IOException {
        // 40 rows of [3, 16, 16] through a stride-500 transposed conv: [1, 7503, 7503] each, 2.25 G floats in all
        Path s = spec("{\"layer\": \"ConvTranspose2d\", \"in_channels\": 3, \"out_channels\": 1, \"kernel_size\": 3,"
                + " \"stride\": 500, \"key\": 0}");
        assertOneLine(CliRun.of("apply", "--spec", s.toString(), "--input", rows40.toString(), "--output",
                        tmp.resolve("y.npy").toString(), "--batch-size", "1"),
                "--output " + tmp.resolve("y.npy") + ": a .npy output is written whole, and 40 rows x [1, 7503, 7503]"
                        + " are more floats than a Java array holds (2,147,483,639); write .arrow output");
        assertFalse(Files.exists(tmp.resolve("y.npy")));
    }

    @Test
    void generateRefusesSizesBeyondAnArrayWithoutLeavingADirectory() {
        assertOneLine(CliRun.of("generate", "--shape", "65536,65536,16", "--rows", "1", "--output", tmp.resolve("g1").toString()),
                "--shape: shape [65536, 65536, 16] has 68,719,476,736 values per sample, more than a Java array holds");
        assertOneLine(CliRun.of("generate", "--shape", "3,2,2", "--rows", "3000000000", "--output", tmp.resolve("g2").toString()),
                "--rows 3000000000 in --files 1: 3,000,000,000 rows x 12 floats per file, more than a Java array holds"
                        + " (2,147,483,639); use --files 17 or more");
        assertFalse(Files.exists(tmp.resolve("g1")));
        assertFalse(Files.exists(tmp.resolve("g2")));
    }

    // ---- finding 2: memory (the test JVM runs with -Xmx4g)

    /** One row of [1, 8, 8] becomes [24, 7001, 7001]: 1.18 G floats (4.4 GiB), within an array, beyond the heap. */
    private static final String HEAP_BUSTER = "{\"layer\": \"ConvTranspose2d\", \"in_channels\": 1, \"out_channels\": 24,"
            + " \"kernel_size\": 1, \"stride\": 1000, \"key\": 0}";

    @Test
    void memoryBeyondTheHeapIsExit2WithTheEstimateTheLimitAndTheFix() throws IOException {
        Path data = tmp.resolve("small");
        assertEquals(0, CliRun.of("generate", "--shape", "1,8,8", "--rows", "3", "--output", data.toString()).code());
        String line = assertOneLine(CliRun.of("apply", "--spec", spec(HEAP_BUSTER).toString(), "--input",
                data.resolve("part-00000.arrow").toString(), "--output", tmp.resolve("y.arrow").toString()),
                "error: not enough memory: weights ");
        assertTrue(line.contains("batch of 1 row x [1, 8, 8] -> [24, 7001, 7001]") && line.contains("more than the heap (-Xmx")
                && line.contains("raise -Xmx (e.g. CONVJOB_JAVA_OPTS=-Xmx"), line);
        assertFalse(Files.exists(tmp.resolve("y.arrow")));
        assertOneLine(CliRun.of("describe", "--spec", spec(HEAP_BUSTER).toString(), "--input-shape", "1,8,8"),
                "error: not enough memory: ");
    }

    @Test
    void runChecksTheExecutorsMemoryOnTheDriver() throws IOException {
        Path data = tmp.resolve("small");
        assertEquals(0, CliRun.of("generate", "--shape", "1,8,8", "--rows", "3", "--output", data.toString()).code());
        String line = assertOneLine(CliRun.of("run", "--spec", spec(HEAP_BUSTER).toString(), "--input", data.toString(),
                "--output", tmp.resolve("out").toString(), "--master", "local[2]"), "error: not enough memory: ");
        assertTrue(line.contains("2 tasks x (batch of 1 row x [1, 8, 8] -> [24, 7001, 7001]")
                && line.contains("the driver's heap (local mode") && line.contains("raise -Xmx"), line);
        assertFalse(Files.exists(tmp.resolve("out")));
    }

    @Test
    void anOutOfMemoryErrorIsOneLineWithTheFix() {
        StringWriter err = new StringWriter();
        CommandLine cmd = new CommandLine(new ApplyCommand());
        cmd.setErr(new PrintWriter(err, true));
        int code = new ErrorReporter(null).report(new OutOfMemoryError("Java heap space"), cmd, false);
        assertEquals(2, code);
        assertEquals("error: out of memory (Java heap space); lower --batch-size or raise -Xmx (e.g."
                + " CONVJOB_JAVA_OPTS=-Xmx4g)", err.toString().strip());
    }

    // ---- finding 3: exit codes and output

    @Test
    void unusableOutputsAreExit2InOneLine() throws IOException {
        Path s = spec(CONV);
        Path file = Files.writeString(tmp.resolve("plain.txt"), "x");
        Files.createDirectories(tmp.resolve("dir.arrow"));
        assertOneLine(CliRun.of("apply", "--spec", s.toString(), "--input", rows2.toString(), "--output",
                tmp.resolve("dir.arrow").toString()), "--output " + tmp.resolve("dir.arrow") + ": is a directory");
        assertOneLine(CliRun.of("apply", "--spec", s.toString(), "--input", rows2.toString(), "--output",
                file.resolve("y.arrow").toString()), file + " is not a directory");
        assertOneLine(CliRun.of("apply", "--spec", s.toString(), "--input", rows2.toString(), "--output", "/proc/y.arrow"),
                "/proc/y.arrow: ");
        assertOneLine(CliRun.of("init", "--spec", s.toString(), "--output", file.resolve("w.safetensors").toString()),
                file + " is not a directory");
        assertOneLine(CliRun.of("init", "--spec", s.toString(), "--output", "/proc/w.safetensors"), "error: /proc/w.safetensors: ");
        assertOneLine(CliRun.of("generate", "--shape", "3,2,2", "--rows", "2", "--output", file.resolve("g").toString()),
                file + " is not a directory");
        assertOneLine(CliRun.of("run", "--spec", s.toString(), "--input", rows2.getParent().toString(), "--output",
                file.resolve("out").toString(), "--master", "local[1]"), "error: ");
    }

    @Test
    void runRefusesABadMasterAndParquetThatIsArrow() throws IOException {
        Path s = spec(CONV);
        assertOneLine(CliRun.of("run", "--spec", s.toString(), "--input", rows2.getParent().toString(), "--output",
                tmp.resolve("o1").toString(), "--master", "bogus://x"), "error: --master bogus://x: not a Spark master URL");
        assertOneLine(CliRun.of("run", "--spec", s.toString(), "--input", rows2.getParent().toString(), "--output",
                tmp.resolve("o2").toString(), "--master", "local[1]", "--input-format", "parquet"),
                "part-00000.arrow is not a Parquet file (it is Arrow IPC: use --input-format arrow)");
        assertFalse(Files.exists(tmp.resolve("o1")));
        assertFalse(Files.exists(tmp.resolve("o2")));
    }

    @Test
    void threadsMustBePositive() throws IOException {
        for (String n : List.of("0", "-5")) {
            assertOneLine(CliRun.of("apply", "--spec", spec(CONV).toString(), "--input", rows2.toString(), "--output",
                    tmp.resolve("y.arrow").toString(), "--threads", n), "'--threads': must be >= 1, got " + n);
        }
    }

    @Test
    void verboseOnASubcommandPrintsTheStackTrace() throws IOException {
        Path bad = spec("{\"layer\": \"Conv2d\"}");
        CliRun quiet = CliRun.of("describe", "--spec", bad.toString());
        assertEquals(1, ApplyCommandTest.errorLines(quiet).size(), quiet.err());
        CliRun verbose = CliRun.of("describe", "--spec", bad.toString(), "--verbose");
        assertEquals(2, verbose.code());
        List<String> lines = ApplyCommandTest.errorLines(verbose);
        assertEquals(ApplyCommandTest.errorLines(quiet).get(0), lines.get(0));
        assertTrue(lines.size() > 3 && lines.stream().anyMatch(l -> l.strip().startsWith("at io.convjob.")), verbose.err());
    }

    @Test
    void aFailedSparkTaskNamesTheLogFile() {
        StringWriter err = new StringWriter();
        CommandLine cmd = new CommandLine(new RunCommand());
        cmd.setErr(new PrintWriter(err, true));
        Exception failed = new org.apache.spark.SparkException("Job aborted due to stage failure: Task 0 in stage 0.0"
                + " failed 1 times\n\tat a.b.C(C.java:1)", new IllegalStateException("boom\n\tat x.Y(Y.java:2)"));
        assertEquals(1, new ErrorReporter("/var/log/convjob.log").report(failed, cmd, false));
        assertEquals(List.of("error: IllegalStateException: boom (Spark's log, with the task's trace: /var/log/convjob.log)",
                "(internal failure; run again with --verbose for the stack trace)"), err.toString().lines().toList());
    }

    @Test
    void theErrorLineStartsALineOfItsOwnAfterSparksProgressBar() {
        // issue 9: "[Stage 0:> ... (0 + 1) / 2]error: ..." in a log. Main sets a LineTrackingStream as System.err, which
        // Spark's ConsoleProgressBar writes to: the bar, then (cleared by ConvolutionJob) spaces, each ending in "\r"
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        LineTrackingStream stderr = new LineTrackingStream(bytes);
        stderr.print("\r[Stage 0:=========>          (1 + 1) / 2]\r");
        stderr.print("\r" + " ".repeat(40) + "\r");
        CommandLine cmd = new CommandLine(new RunCommand());
        cmd.setErr(new PrintWriter(stderr, true));
        ErrorReporter reporter = new ErrorReporter(null, stderr::atLineStart);
        assertEquals(2, reporter.report(new io.convjob.error.InputException("b.arrow: row 299 is null"), cmd, false));
        String text = bytes.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(text.endsWith("(1 + 1) / 2]\r\r" + " ".repeat(40) + "\r\nerror: b.arrow: row 299 is null\n"), text);
        // after a closed line: no blank line
        bytes.reset();
        stderr.print("note: removed a stale file\n");
        reporter.report(new io.convjob.error.InputException("bad"), cmd, false);
        assertEquals("note: removed a stale file\nerror: bad\n", bytes.toString(java.nio.charset.StandardCharsets.UTF_8));
    }

    @Test
    @Timeout(60) // a guard against reading forever, not a speed test
    void specsAreBounded() throws IOException {
        assertOneLine(CliRun.of("apply", "--spec", "/dev/zero", "--input", rows2.toString(), "--output",
                tmp.resolve("y.arrow").toString()), "error: --spec /dev/zero: more than 1 MiB (1048576 characters), the limit for a spec");
        assertOneLine(CliRun.of("describe", "--spec", "/dev/zero"), "the limit for a spec");
        Path deep = spec("[".repeat(20_000) + "]".repeat(20_000));
        assertOneLine(CliRun.of("apply", "--spec", deep.toString(), "--input", rows2.toString(), "--output",
                tmp.resolve("y.arrow").toString()), "error: spec: nested deeper than 32 levels, the limit for a spec");
    }

    // ---- finding 6: stale temporary files

    @Test
    void staleTemporaryFilesOfOursAreRemovedAndReported() throws IOException {
        Path out = tmp.resolve("y.arrow");
        Path uuid = Files.writeString(tmp.resolve(".y.arrow." + UUID.randomUUID() + ".tmp"), "left by kill -9");
        Path hex = Files.writeString(tmp.resolve(".y.arrow.5f3a9c0d12e4b7a8.tmp"), "left by kill -9");
        Path otherTarget = Files.writeString(tmp.resolve(".z.arrow." + UUID.randomUUID() + ".tmp"), "not ours to touch");
        Path notOurNaming = Files.writeString(tmp.resolve(".y.arrow.backup.tmp"), "not our naming");
        CliRun run = CliRun.of("apply", "--spec", spec(CONV).toString(), "--input", rows2.toString(), "--output", out.toString());
        assertEquals(0, run.code(), run.err());
        assertFalse(Files.exists(uuid));
        assertFalse(Files.exists(hex));
        assertTrue(Files.exists(otherTarget) && Files.exists(notOurNaming) && Files.exists(out));
        assertTrue(run.err().contains("note: removed " + uuid.toUri().toString().replace("file:///", "file:/")), run.err());
        assertTrue(run.err().contains("a temporary file an interrupted earlier write of y.arrow left behind"), run.err());
        try (Stream<Path> left = Files.list(tmp)) {
            assertEquals(List.of(), left.filter(p -> p.getFileName().toString().startsWith(".y.arrow.")
                    && p.getFileName().toString().matches(".*\\.[0-9a-f-]+\\.tmp")).toList());
        }
    }
}
