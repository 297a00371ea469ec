package io.convjob.cli;

import io.convjob.job.storage.HdfsCluster;
import io.convjob.job.storage.S3Server;
import io.convjob.storage.OutputDirectory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's "Feature extraction" spark-submit command, as written: its {@code run} arguments are read from
 * README.md and run against a real S3 server holding {@code s3a://my-bucket/photos/} and a real HDFS as the default
 * file system. What differs is what a cluster's configuration gives: the servers' addresses and credentials
 * ({@code --conf spark.hadoop.*}) and the master; {@code $PWD} is expanded to the checkout, as the shell does.
 * The Parquet vectors must equal a local run's over the same files, and the bad file must be in {@code _rejected}.
 */
class ReadmeImageCommandTest {
    private static final Path GOLDEN = Path.of("../datasets/src/test/resources/pillow-reference");
    private static final List<String> IMAGES = List.of("rgb_64x48.png", "rgb_160x120.png", "rgb_40x30.jpg",
            "gray_50x70.png", "rgba_45x33.png", "palette_40x40.png", "gray16_48x40.png");
    @TempDir static Path servers;
    private static HdfsCluster hdfs;
    private static S3Server s3;
    @TempDir Path tmp;

    @BeforeAll
    static void start() {
        hdfs = new HdfsCluster(servers.resolve("hdfs"));
        s3 = new S3Server(servers.resolve("s3"));
        s3.createBucket("my-bucket");
    }

    @AfterAll
    static void stop() {
        if (hdfs != null) hdfs.close();
        if (s3 != null) s3.close();
    }

    /** The arguments after the jar in the README's spark-submit command from an image folder to a Parquet table. */
    static List<String> readmeRunArguments() throws IOException {
        String readme = Files.readString(Path.of("../README.md"));
        Matcher m = Pattern.compile("```bash\\n(spark-submit --class io\\.convjob\\.cli\\.Main[^`]*?--input-format image[^`]*?)```")
                .matcher(readme);
        assertTrue(m.find(), "README.md has no spark-submit command with --input-format image");
        List<String> words = Arrays.asList(m.group(1).replace("\\\n", " ").strip().split("\\s+"));
        int jar = -1;
        for (int i = 0; i < words.size(); i++) if (words.get(i).endsWith("-spark.jar")) jar = i;
        assertTrue(jar > 0, "no application jar in " + words);
        String checkout = Path.of("..").toAbsolutePath().normalize().toString();
        return new ArrayList<>(words.subList(jar + 1, words.size()).stream().map(w -> w.replace("$PWD", checkout)).toList());
    }

    private static Configuration conf() {
        Configuration conf = new Configuration();
        s3.hadoopSettings().forEach(conf::set);
        conf.set("fs.defaultFS", hdfs.uri());
        return conf;
    }

    private static Map<String, float[]> features(String dir) {
        SparkSession spark = SparkSession.builder().master("local[1]").config("spark.ui.enabled", "false").getOrCreate();
        try {
            conf().forEach(e -> spark.sparkContext().hadoopConfiguration().set(e.getKey(), e.getValue()));
            Map<String, float[]> byName = new HashMap<>();
            for (Row r : spark.read().parquet(dir).select("id", "tensor").collectAsList()) {
                List<Object> values = r.getList(1);
                float[] f = new float[values.size()];
                for (int i = 0; i < f.length; i++) f[i] = ((Number) values.get(i)).floatValue();
                String id = r.getString(0);
                byName.put(id.substring(id.lastIndexOf('/') + 1), f);
            }
            long rejected = spark.read().json(dir + "/" + OutputDirectory.REJECTED).count();
            assertEquals(1, rejected, dir + ": _rejected");
            return byName;
        } finally {
            spark.stop();
        }
    }

    @Test
    void theReadmeCommandRunsFromAnS3ImageFolderToAParquetTableOnHdfs() throws IOException {
        Path photos = Files.createDirectories(tmp.resolve("photos"));
        for (String name : IMAGES) Files.copy(GOLDEN.resolve(name), photos.resolve(name));
        byte[] png = Files.readAllBytes(GOLDEN.resolve("rgb_20x15.png"));
        Files.write(photos.resolve("truncated.png"), Arrays.copyOf(png, png.length / 2));
        FileSystem s3fs = new org.apache.hadoop.fs.Path("s3a://my-bucket/").getFileSystem(conf());
        for (Path f : Files.list(photos).toList()) {
            s3fs.copyFromLocalFile(new org.apache.hadoop.fs.Path(f.toUri()), new org.apache.hadoop.fs.Path("s3a://my-bucket/photos/" + f.getFileName()));
        }

        List<String> args = readmeRunArguments();
        assertEquals("s3a://my-bucket/photos/", args.get(args.indexOf("--input") + 1));
        String output = args.get(args.indexOf("--output") + 1);
        assertTrue(output.startsWith("hdfs:///"), output);
        assertTrue(args.get(args.indexOf("--spec") + 1).startsWith("file:/"), args.toString());
        List<String> cluster = new ArrayList<>(List.of("--master", "local[2]", "--conf", "spark.hadoop.fs.defaultFS=" + hdfs.uri()));
        cluster.addAll(s3.confArguments());

        List<String> remote = new ArrayList<>(args);
        remote.addAll(cluster);
        CliRun run = CliRun.of(remote.toArray(String[]::new));
        assertEquals(0, run.code(), run.err());
        FileSystem hdfsFs = FileSystem.get(java.net.URI.create(hdfs.uri()), conf());
        List<String> names = Arrays.stream(hdfsFs.listStatus(new org.apache.hadoop.fs.Path(output)))
                .map(FileStatus::getPath).map(org.apache.hadoop.fs.Path::getName).toList();
        assertTrue(names.contains(OutputDirectory.SUCCESS) && names.contains(OutputDirectory.REJECTED)
                && names.stream().anyMatch(n -> n.endsWith(".parquet")), names.toString());
        Map<String, float[]> fromS3 = features(hdfs.uri() + output.substring("hdfs://".length()));

        // the same command on local copies: the same vectors
        List<String> local = new ArrayList<>(args);
        local.set(local.indexOf("--input") + 1, photos.toString());
        local.set(local.indexOf("--output") + 1, tmp.resolve("features").toString());
        local.addAll(List.of("--master", "local[2]"));
        CliRun localRun = CliRun.of(local.toArray(String[]::new));
        assertEquals(0, localRun.code(), localRun.err());
        Map<String, float[]> fromLocal = features(tmp.resolve("features").toUri().toString());

        assertEquals(IMAGES.stream().sorted().toList(), fromS3.keySet().stream().sorted().toList());
        assertEquals(fromLocal.keySet(), fromS3.keySet());
        for (String name : IMAGES) assertArrayEquals(fromLocal.get(name), fromS3.get(name), name);
    }

    @Test
    void imageInputFromAMissingBucketOrAnUnknownSchemeIsOneLineExitTwo() throws IOException {
        List<String> args = readmeRunArguments();
        args.set(args.indexOf("--output") + 1, tmp.resolve("out").toString());

        List<String> missing = new ArrayList<>(args);
        // a bucket name no other test uses: Hadoop caches a FileSystem per scheme and bucket in this JVM, and another
        // test's cached s3a://no-such-bucket points at that test's server, stopped by now
        missing.set(missing.indexOf("--input") + 1, "s3a://no-such-photo-bucket/photos/");
        missing.addAll(s3.confArguments());
        String line = oneErrorLine(CliRun.of(missing.toArray(String[]::new)));
        assertTrue(line.contains("s3a://no-such-photo-bucket/photos") && line.contains("bucket does not exist"), line);

        List<String> unknown = new ArrayList<>(args);
        unknown.set(unknown.indexOf("--input") + 1, "foo://bucket/photos/");
        assertEquals("error: --input foo://bucket/photos/: no FileSystem for scheme \"foo\" (add a Hadoop FileSystem for it"
                + " to the classpath)", oneErrorLine(CliRun.of(unknown.toArray(String[]::new))));
        assertTrue(!Files.exists(tmp.resolve("out")));
    }

    private static String oneErrorLine(CliRun run) {
        List<String> lines = ApplyCommandTest.errorLines(run);
        assertEquals(2, run.code(), run.err());
        assertEquals(1, lines.size(), run.err());
        assertTrue(lines.get(0).startsWith("error: "), lines.get(0));
        return lines.get(0);
    }
}
