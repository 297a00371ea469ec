package io.convjob.cli;

import io.convjob.job.Conformance;
import io.convjob.job.TensorDirs;
import io.convjob.sample.SampleData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code run} and {@code demo} through picocli with the CLI's error handling, each in its own local[2] session. */
class RunCommandTest {

    private static final Path E2E = Conformance.datasetE2e();

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int execute(Callable<Integer> command, String... args) {
        CommandLine cli = new CommandLine(command);
        cli.setExitCodeExceptionMapper(ExitCodes::of);
        cli.setExecutionExceptionHandler(new ErrorReporter(null));
        cli.setParameterExceptionHandler(new ErrorReporter(null));
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void runWritesTheModelOutputAndASummary(@TempDir Path tmp) {
        Path output = tmp.resolve("out");
        int code = execute(new RunCommand(), "--spec", E2E.resolve("spec.json").toString(),
                "--input", E2E.resolve("input_parquet").toString(), "--output", output.toString(),
                "--master", "local[2]", "--batch-size", "48", "--input-format", "parquet");

        assertEquals(0, code, err.toString());
        assertTrue(out.toString().startsWith("rows: 192 (rejected: 0), shape [3, 16, 16] -> [4, 8, 8]"), out.toString());
        assertTrue(out.toString().contains("GFLOP/s"), out.toString());
        TensorDirs.assertMatches(TensorDirs.read(E2E.resolve("expected")), TensorDirs.read(output));
    }

    @Test
    void existingOutputExitsWithCodeTwoAndOneLine(@TempDir Path tmp) throws IOException {
        Path output = Files.createDirectories(tmp.resolve("out"));
        int code = execute(new RunCommand(), "--spec", E2E.resolve("spec.json").toString(),
                "--input", E2E.resolve("input").toString(), "--output", output.toString(), "--master", "local[2]");

        assertEquals(2, code);
        assertEquals("error: " + output + ": output directory exists (use --overwrite to replace it)" + System.lineSeparator(),
                err.toString());
    }

    @Test
    void demoRunsTheSampleDataset(@TempDir Path tmp) {
        Path output = tmp.resolve("demo");
        int code = execute(new DemoCommand(), "--spec", Path.of("..", "conf", "specs", "demo-stack.json").toString(),
                "--output", output.toString(), "--master", "local[2]");

        assertEquals(0, code, err.toString());
        assertTrue(out.toString().contains("demo: the output is in " + output), out.toString());
        TensorDirs written = TensorDirs.read(output);
        assertEquals(SampleData.FILES * SampleData.ROWS_PER_FILE, written.rows().size());
        assertArrayEquals(new int[] {32, 8, 8}, written.shape());
    }
}
