package io.convjob.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.convjob.arrow.CompressedIpc;
import io.convjob.arrow.TensorCompression;
import io.convjob.job.Conformance;
import io.convjob.job.TensorDirs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.vector.compression.CompressionUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code run --compression} through the CLI, each run in its own local[2] session: the file-to-file path and the
 * DataFrame path (which writes through the arrow-tensor source) both write batches carrying the codec, with the
 * values of the uncompressed run; bad values and Parquet output are refused before anything is written.
 */
class RunCompressionTest {
    private static final Path E2E = Conformance.datasetE2e();
    @TempDir Path tmp;

    private CliRun run(Path output, String... extra) {
        List<String> args = new ArrayList<>(List.of("run", "--spec", E2E.resolve("spec.json").toString(),
                "--input", E2E.resolve("input").toString(), "--output", output.toString(), "--master", "local[2]"));
        args.addAll(List.of(extra));
        return CliRun.of(args.toArray(String[]::new));
    }

    @Test
    void bothPathsWriteEachCodecWithTheValuesOfAnUncompressedRun() throws IOException {
        // --partitions sends the rows through the DataFrame path; without it, Arrow in and out go file to file
        for (List<String> path : List.of(List.<String>of(), List.of("--partitions", "2"))) {
            Path plain = tmp.resolve("plain" + path.size());
            CliRun a = run(plain, path.toArray(String[]::new));
            assertEquals(0, a.code(), a.err());
            for (Path part : TensorDirs.arrowFiles(plain)) {
                assertEquals(CompressionUtil.CodecType.NO_COMPRESSION, CompressedIpc.codecOf(part), part.toString());
            }
            TensorDirs expected = TensorDirs.read(plain);
            TensorDirs.assertMatches(TensorDirs.read(E2E.resolve("expected")), expected);

            for (TensorCompression codec : List.of(TensorCompression.LZ4, TensorCompression.ZSTD)) {
                Path compressed = tmp.resolve(codec.optionName() + path.size());
                List<String> args = new ArrayList<>(path);
                args.addAll(List.of("--compression", codec.optionName()));
                CliRun b = run(compressed, args.toArray(String[]::new));
                assertEquals(0, b.code(), b.err());
                List<Path> parts = TensorDirs.arrowFiles(compressed);
                assertFalse(parts.isEmpty());
                for (Path part : parts) assertEquals(codec.codec(), CompressedIpc.codecOf(part), codec + " " + path + ": " + part);
                TensorDirs got = TensorDirs.read(compressed);
                assertArrayEquals(expected.shape(), got.shape());
                assertEquals(expected.rows().keySet(), got.rows().keySet());
                expected.rows().forEach((id, y) -> assertArrayEquals(y, got.rows().get(id), codec + " " + path + " id " + id));
            }
        }
    }

    @Test
    void anUnknownCompressionIsApplysOneLineExitTwo() {
        Path output = tmp.resolve("out");
        CliRun run = run(output, "--compression", "gzip");
        assertEquals(2, run.code());
        Path dir = ApplyCommandTest.conformance().resolve("hand_00_conv2d");
        CliRun apply = CliRun.of("apply", "--spec", dir.resolve("spec.json").toString(), "--input", dir.resolve("input.arrow").toString(),
                "--output", tmp.resolve("y.arrow").toString(), "--compression", "gzip");
        assertEquals(2, apply.code());
        assertEquals(apply.errLines().replace("convjob apply --help", "convjob run --help"), run.errLines(),
                "run and apply parse and report --compression alike");
        assertEquals(1, run.errLines().lines().count(), run.err());
        assertTrue(run.errLines().contains("compression must be none, lz4 or zstd, got 'gzip'"), run.err());
        assertTrue(Files.notExists(output));
    }

    @Test
    void parquetOutputRefusesCompressionOtherThanNone() throws IOException {
        Path output = tmp.resolve("out");
        CliRun run = run(output, "--output-format", "parquet", "--compression", "zstd");
        assertEquals(2, run.code());
        assertEquals("error: --compression applies to Arrow output; Parquet output takes its codec from Spark's"
                + " spark.sql.parquet.compression.codec (e.g. --conf spark.sql.parquet.compression.codec=zstd) (see 'convjob run --help')",
                run.errLines());
        assertTrue(Files.notExists(output));

        CliRun none = run(output, "--output-format", "parquet", "--compression", "none");
        assertEquals(0, none.code(), none.err());
        assertTrue(Files.exists(output.resolve("_SUCCESS")));
    }
}
