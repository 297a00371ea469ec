package io.convjob.cli;

import io.convjob.job.Conformance;
import io.convjob.job.TensorDirs;
import io.convjob.job.storage.HdfsCluster;
import io.convjob.job.storage.S3Server;
import io.convjob.storage.OutputDirectory;
import io.convjob.storage.Storage;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code run} with bad storage paths, as a user types them: exit code 2, one line naming the path and the cause, no
 * partial output and nothing deleted. Against local paths, a real HDFS and a real S3 server.
 */
class StorageErrorsCliTest {
    private static final Path E2E = Conformance.datasetE2e();
    @TempDir static Path servers;
    private static HdfsCluster hdfs;
    private static S3Server s3;
    @TempDir Path tmp;

    @BeforeAll
    static void start() {
        hdfs = new HdfsCluster(servers.resolve("hdfs"));
        s3 = new S3Server(servers.resolve("s3"));
    }

    @AfterAll
    static void stop() {
        if (hdfs != null) hdfs.close();
        if (s3 != null) s3.close();
    }

    private static CliRun run(String input, String output, String... more) {
        return runSpec(E2E.resolve("spec.json"), input, output, more);
    }

    private static CliRun runSpec(Path spec, String input, String output, String... more) {
        List<String> args = new ArrayList<>(List.of("run", "--spec", spec.toString(), "--input", input,
                "--output", output, "--master", "local[2]"));
        args.addAll(Arrays.asList(more));
        return CliRun.of(args.toArray(String[]::new));
    }

    private static String assertOneErrorLine(CliRun run) {
        List<String> lines = ApplyCommandTest.errorLines(run);
        assertEquals(2, run.code(), run.err());
        assertEquals(1, lines.size(), run.err());
        assertTrue(lines.get(0).startsWith("error: "), lines.get(0));
        return lines.get(0);
    }

    private Path copyOfInput(Path dir) throws IOException {
        Files.createDirectories(dir);
        try (Stream<Path> files = Files.list(E2E.resolve("input"))) {
            for (Path f : files.toList()) Files.copy(f, dir.resolve(f.getFileName()));
        }
        return dir;
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void unknownScheme() {
        String line = assertOneErrorLine(run(E2E.resolve("input").toString(), "foo://bucket/out"));
        assertEquals("error: --output foo://bucket/out: no FileSystem for scheme \"foo\" (add a Hadoop FileSystem for it to the classpath)", line);
    }

    @Test
    void outputPathThatIsAFile() throws IOException {
        Path file = Files.writeString(tmp.resolve("out"), "not a directory");
        String line = assertOneErrorLine(run(E2E.resolve("input").toString(), file.toString(), "--overwrite"));
        assertEquals("error: --output " + file + ": is a file, not a directory", line);
        assertEquals("not a directory", Files.readString(file));
    }

    @Test
    void globMatchingNothing() {
        String glob = E2E.resolve("input") + "/*.nothing";
        String line = assertOneErrorLine(run(glob, tmp.resolve("out").toString()));
        assertEquals("error: arrow-tensor: no Arrow files match " + glob, line);
        assertFalse(Files.exists(tmp.resolve("out")));
    }

    @Test
    void outputEqualToContainingOrInsideTheInputIsRefusedBeforeAnythingIsDeleted() throws IOException {
        Path input = copyOfInput(tmp.resolve("data").resolve("x"));
        Path sibling = Files.writeString(tmp.resolve("data").resolve("keep.txt"), "sibling");
        List<String> before = names(input);

        assertEquals("error: --output " + input + " is the input " + input + "; choose another output directory",
                assertOneErrorLine(run(input.toString(), input.toString(), "--overwrite")));
        assertTrue(assertOneErrorLine(run(input.toString(), input.getParent().toString(), "--overwrite"))
                .contains("contains the input"));
        assertTrue(assertOneErrorLine(run(input + "/*.arrow", input.getParent().toString(), "--overwrite"))
                .contains("contains the input"));
        assertTrue(assertOneErrorLine(run(input.toString(), input.resolve("out").toString(), "--overwrite"))
                .contains("lies inside the input"));

        assertEquals(before, names(input));
        assertEquals("sibling", Files.readString(sibling));
    }

    @Test
    void aSecondWriterFailsNamingTheFirst() throws IOException {
        Path out = tmp.resolve("out");
        OutputDirectory first = OutputDirectory.claim(Storage.standard(), Storage.local(out), "first-job");
        String line = assertOneErrorLine(run(E2E.resolve("input").toString(), out.toString(), "--overwrite"));
        assertTrue(line.startsWith("error: " + out + ": another job is writing this output (first-job on "), line);
        assertTrue(line.endsWith("if none is running, delete file:" + out + "/_convjob.lock"), line);
        assertEquals(List.of(OutputDirectory.LOCK), names(out)); // the second job wrote nothing
        first.abort();
        assertFalse(Files.exists(out), "the first job created the directory; its abort removes it");
    }

    @Test
    void readersRefuseUnfinishedOutputUnlessAllowed() throws IOException {
        Path done = tmp.resolve("done");
        assertEquals(0, run(E2E.resolve("input").toString(), done.toString()).code());
        Files.delete(done.resolve(OutputDirectory.SUCCESS)); // as if the job died during its commit
        String line = assertOneErrorLine(run(done.toString(), tmp.resolve("again").toString()));
        assertTrue(line.contains("has part files but no _SUCCESS"), line);

        Files.createDirectories(done.resolve(OutputDirectory.TEMPORARY).resolve("some-job"));
        Files.writeString(done.resolve(OutputDirectory.SUCCESS), "");
        line = assertOneErrorLine(run(done.toString(), tmp.resolve("again").toString()));
        assertTrue(line.contains("holds _temporary"), line);
        assertFalse(Files.exists(tmp.resolve("again")));

        // the override reads it anyway (the output's rows are (4, 8, 8): a 1x1 conv over them)
        Files.writeString(tmp.resolve("identity.json"),
                "{\"layer\": \"Conv2d\", \"in_channels\": 4, \"out_channels\": 4, \"kernel_size\": 1, \"key\": 0}");
        CliRun ok = runSpec(tmp.resolve("identity.json"), done.toString(), tmp.resolve("again").toString(),
                "--allow-incomplete-input");
        assertEquals(0, ok.code(), ok.err());
        assertEquals(192, TensorDirs.read(tmp.resolve("again")).rows().size());
    }

    @Test
    void missingBucket() {
        List<String> args = new ArrayList<>(s3.confArguments());
        String line = assertOneErrorLine(run(E2E.resolve("input").toString(), "s3a://no-such-bucket/out", args.toArray(String[]::new)));
        assertTrue(line.startsWith("error: ") && line.contains("s3a://no-such-bucket/out") && line.contains("bucket does not exist"), line);
    }

    @Test
    void unreachableNameNode() throws IOException {
        int closed;
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            closed = socket.getLocalPort();
        }
        String input = "hdfs://127.0.0.1:" + closed + "/in";
        String line = assertOneErrorLine(run(input, tmp.resolve("out").toString(),
                "--conf", "spark.hadoop.ipc.client.connect.max.retries=0",
                "--conf", "spark.hadoop.ipc.client.connect.max.retries.on.timeouts=0"));
        assertTrue(line.startsWith("error: ") && line.contains(input) && line.contains("cannot connect"), line);
        assertFalse(Files.exists(tmp.resolve("out")));
    }

    @Test
    void permissionDenied() {
        String output = hdfs.uri() + "/locked/out";
        String line = assertOneErrorLine(run(E2E.resolve("input").toString(), output));
        assertTrue(line.contains(output) && line.contains("permission denied"), line);
    }

    @Test
    void confMustBeSparkKeyValue() {
        assertTrue(assertOneErrorLine(run(E2E.resolve("input").toString(), tmp.resolve("o").toString(), "--conf", "fs.s3a.endpoint=x"))
                .contains("only spark.* settings"));
        assertTrue(assertOneErrorLine(run(E2E.resolve("input").toString(), tmp.resolve("o").toString(), "--conf", "novalue"))
                .contains("--conf must be KEY=VALUE"));
    }
}
