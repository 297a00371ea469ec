package io.convjob.job.storage;

import io.convjob.error.InputException;
import io.convjob.job.frame.ConvPartitionFunction;
import io.convjob.job.Conformance;
import io.convjob.job.ConvolutionJob;
import io.convjob.job.JobOptions;
import io.convjob.job.JobSummary;
import io.convjob.job.SparkTestBase;
import io.convjob.job.TensorDirs;
import io.convjob.job.model.WeightsLoader;
import io.convjob.job.BadRowPolicy;
import io.convjob.Model;
import io.convjob.Tensor;
import io.convjob.format.TensorFormat;
import io.convjob.io.NpyReader;
import io.convjob.spec.SpecParser;
import io.convjob.storage.OutputDirectory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import org.junit.jupiter.api.Assertions;

/**
 * The job end to end on one storage (local, HDFS, S3): Arrow in and out on the default file-to-file path, Parquet
 * in, the data source's read and write, a retried task, {@code _rejected}, spec and weights read from the storage,
 * an {@code --overwrite} that fails leaving the old output complete, and image files in (the job to Parquet, and the
 * {@code image-tensor} source) checked against Pillow's reference tensors. Inputs are uploaded from
 * {@code dataset_e2e}; outputs are downloaded and compared with its {@code expected} and with a local run.
 */
abstract class StorageEndToEnd extends SparkTestBase {
    static final java.nio.file.Path E2E = Conformance.datasetE2e();
    static final TensorDirs EXPECTED = TensorDirs.read(E2E.resolve("expected"));

    @TempDir static java.nio.file.Path local;
    private final ConvolutionJob job = new ConvolutionJob(WeightsLoader.standard());
    private String root;

    /** Starts the storage server; returns the root URI under which each test writes (e.g. {@code hdfs://h:p/data}). */
    abstract String startStorage(java.nio.file.Path work);

    /** Hadoop settings the storage needs (endpoint, credentials). */
    Map<String, String> hadoopSettings() {
        return Map.of();
    }

    abstract void stopStorage();

    @BeforeAll
    void startAndUpload() throws IOException {
        root = startStorage(local.resolve("server"));
        hadoopSettings().forEach((k, v) -> spark().sparkContext().hadoopConfiguration().set(k, v));
        upload(E2E.resolve("input"), root + "/e2e/input");
        upload(E2E.resolve("input_parquet"), root + "/e2e/input_parquet");
        upload(E2E.resolve("spec.json"), root + "/e2e/spec.json");
    }

    @AfterAll
    void stop() {
        stopStorage();
    }

    Configuration hadoopConf() {
        return spark().sparkContext().hadoopConfiguration();
    }

    FileSystem fs(String uri) {
        try {
            return new Path(uri).getFileSystem(hadoopConf());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void upload(java.nio.file.Path from, String to) throws IOException {
        fs(to).copyFromLocalFile(false, true, new Path(from.toUri()), new Path(to));
    }

    /** A copy of a remote directory, for the plain file reader. */
    java.nio.file.Path download(String from) throws IOException {
        java.nio.file.Path to = Files.createTempDirectory(local, "download");
        for (FileStatus s : fs(from).listStatus(new Path(from))) {
            if (s.isFile()) fs(from).copyToLocalFile(false, s.getPath(), new Path(to.resolve(s.getPath().getName()).toUri()), true);
        }
        return to;
    }

    List<String> names(String dir) throws IOException {
        List<String> names = new ArrayList<>();
        for (FileStatus s : fs(dir).listStatus(new Path(dir))) names.add(s.getPath().getName());
        names.sort(null);
        return names;
    }

    private JobOptions options(String input, String output) {
        return JobOptions.of(root + "/e2e/spec.json", input, output);
    }

    private void assertCommitted(String dir) throws IOException {
        List<String> names = names(dir);
        Assertions.assertTrue(names.contains(OutputDirectory.SUCCESS), dir + ": " + names);
        assertFalse(names.contains(OutputDirectory.LOCK) || names.contains(OutputDirectory.TEMPORARY), dir + ": " + names);
    }

    /** Part files by partition index (the task ids in the names differ between runs). */
    private static Map<String, byte[]> partsByPartition(java.nio.file.Path dir) throws IOException {
        Map<String, byte[]> parts = new TreeMap<>();
        for (java.nio.file.Path p : TensorDirs.arrowFiles(dir)) {
            parts.put(p.getFileName().toString().substring(0, "part-00000".length()), Files.readAllBytes(p));
        }
        return parts;
    }

    @Test
    void arrowFileToFileMatchesEquinoxAndALocalRunByteForByte() throws IOException {
        String out = root + "/runs/arrow";
        JobSummary summary = job.run(spark(), options(root + "/e2e/input", out));
        assertEquals(192, summary.rows());
        assertCommitted(out);
        java.nio.file.Path copy = download(out);
        TensorDirs.assertMatches(EXPECTED, TensorDirs.read(copy));

        java.nio.file.Path localOut = local.resolve("local-arrow-" + System.nanoTime());
        job.run(spark(), JobOptions.of(E2E.resolve("spec.json"), E2E.resolve("input").toString(), localOut.toString()));
        Map<String, byte[]> expected = partsByPartition(localOut);
        Map<String, byte[]> actual = partsByPartition(copy);
        assertEquals(expected.keySet(), actual.keySet());
        for (String part : expected.keySet()) assertArrayEquals(expected.get(part), actual.get(part), part);
    }

    @Test
    void parquetInput() throws IOException {
        String out = root + "/runs/parquet";
        JobSummary summary = job.run(spark(), options(root + "/e2e/input_parquet", out).withBatchSize(48));
        assertEquals(192, summary.rows());
        assertCommitted(out);
        TensorDirs.assertMatches(EXPECTED, TensorDirs.read(download(out)));
    }

    @Test
    void dataSourceReadsAndWritesTheStorage() throws IOException {
        Dataset<Row> in = spark().read().format("arrow-tensor").load(root + "/e2e/input");
        assertEquals(192, in.count());
        String out = root + "/runs/frame";
        in.write().format("arrow-tensor").mode("overwrite").save(out);
        assertCommitted(out);
        TensorDirs copied = TensorDirs.read(download(out));
        TensorDirs original = TensorDirs.read(E2E.resolve("input"));
        assertEquals(original.rows().keySet(), copied.rows().keySet());
        for (Long id : original.rows().keySet()) assertArrayEquals(original.rows().get(id), copied.rows().get(id), "id " + id);
        assertEquals(192, spark().read().format("arrow-tensor").load(out).count());
    }

    @Test
    void retriedTasksWriteEveryRowExactlyOnce() throws IOException {
        spark().sparkContext().setLocalProperty(ConvPartitionFunction.FAIL_FIRST_ATTEMPT, "true");
        try {
            String lean = root + "/runs/retry-lean";
            assertEquals(192, job.run(spark(), options(root + "/e2e/input", lean).withBatchSize(16)).rows());
            TensorDirs.assertMatches(EXPECTED, TensorDirs.read(download(lean))); // fails on an id written twice
            String frame = root + "/runs/retry-frame";
            assertEquals(192, job.run(spark(), options(root + "/e2e/input", frame).withBatchSize(16).withPartitions(2)).rows());
            TensorDirs.assertMatches(EXPECTED, TensorDirs.read(download(frame)));
        } finally {
            spark().sparkContext().setLocalProperty(ConvPartitionFunction.FAIL_FIRST_ATTEMPT, null);
        }
    }

    /** 40 rows of (3, 16, 16) in 4 Arrow files on the storage; id 13 is null. */
    private String badArrowInput(String name) {
        String dir = root + "/bad/" + name;
        spark().sql("SELECT id, CASE WHEN id = 13 THEN CAST(NULL AS ARRAY<FLOAT>)"
                        + " ELSE transform(sequence(1, 768), i -> CAST(sin(i + id) AS FLOAT)) END AS tensor"
                        + " FROM range(0, 40, 1, 4)")
                .write().format("arrow-tensor").option("shape", "[3,16,16]").mode("overwrite").save(dir);
        return dir;
    }

    @Test
    void failedOverwriteLeavesTheOldOutputComplete() throws IOException {
        String out = root + "/runs/overwrite";
        job.run(spark(), options(root + "/e2e/input", out));
        List<String> before = names(out);
        String bad = badArrowInput("overwrite");

        InputException e = assertThrows(InputException.class, () -> job.run(spark(), options(bad, out).withOverwrite(true)));
        Assertions.assertTrue(e.getMessage().contains("id 13"), e.getMessage());
        assertEquals(before, names(out));
        assertCommitted(out);
        TensorDirs.assertMatches(EXPECTED, TensorDirs.read(download(out)));

        // and a successful overwrite replaces it: no file of the old run is left
        job.run(spark(), options(root + "/e2e/input_parquet", out).withOverwrite(true).withBatchSize(32));
        assertCommitted(out);
        List<String> after = names(out);
        Assertions.assertTrue(after.stream().filter(n -> n.endsWith(".arrow")).noneMatch(before::contains), before + " -> " + after);
        TensorDirs.assertMatches(EXPECTED, TensorDirs.read(download(out)));
    }

    @Test
    void rejectedRowsNameTheirFile() throws IOException {
        String bad = badArrowInput("rejected");
        String out = root + "/runs/rejected";
        JobSummary summary = job.run(spark(), JobOptions.of(root + "/e2e/spec.json", bad, out)
                .withOnBadRow(BadRowPolicy.SKIP).withBatchSize(8));
        assertEquals(39, summary.rows());
        assertEquals(1, summary.rejected());
        assertCommitted(out);
        List<Row> rejected = spark().read().json(out + "/" + OutputDirectory.REJECTED).collectAsList();
        assertEquals(1, rejected.size());
        Row row = rejected.get(0);
        assertEquals(13L, row.getLong(row.fieldIndex("id")));
        String file = row.getString(row.fieldIndex("file"));
        Assertions.assertTrue(file.startsWith(new Path(bad).toUri().getScheme() == null ? "file:" : bad.substring(0, 5))
                && file.contains("/bad/rejected/part-") && file.endsWith(".arrow"), file);
    }

    @Test
    void specAndWeightsFromTheStorage() throws IOException {
        java.nio.file.Path weights = local.resolve("e2e-weights.safetensors");
        assertEquals(0, io.convjob.cli.Main.execute(new String[] {"init", "--spec", E2E.resolve("spec.json").toString(),
                "--output", weights.toString()}, new java.io.PrintWriter(java.io.Writer.nullWriter()),
                new java.io.PrintWriter(System.err, true)));
        upload(weights, root + "/e2e/weights.safetensors");
        String out = root + "/runs/weights";
        job.run(spark(), options(root + "/e2e/input", out).withWeights(root + "/e2e/weights.safetensors"));
        TensorDirs.assertMatches(EXPECTED, TensorDirs.read(download(out)));
    }

    static final java.nio.file.Path PILLOW = java.nio.file.Path.of("../datasets/src/test/resources/pillow-reference");
    /** The preprocessing of the Pillow case rgb_down, so its reference tensor is the model's input for rgb_64x48.png. */
    static final String IMAGE_SPEC = "{\"preprocess\": {\"resize\": 32, \"center_crop\": 28, \"channels\": \"RGB\","
            + " \"scale\": 0.00392156862745098, \"mean\": [0.485, 0.456, 0.406], \"std\": [0.229, 0.224, 0.225]},"
            + " \"layers\": [{\"layer\": \"Conv2d\", \"in_channels\": 3, \"out_channels\": 4, \"kernel_size\": 3,"
            + " \"stride\": 2, \"key\": 0}, {\"layer\": \"relu\"}]}";

    private static float[] floats(List<Object> values) {
        float[] f = new float[values.size()];
        for (int i = 0; i < f.length; i++) f[i] = ((Number) values.get(i)).floatValue();
        return f;
    }

    @Test
    void imagesFromTheStorageToParquetAndThroughTheImageSource() throws IOException {
        String images = root + "/e2e/images";
        List<String> good = List.of("gray_50x70.png", "rgb_40x30.jpg", "rgb_64x48.png");
        for (String name : good) upload(PILLOW.resolve(name), images + "/" + name);
        fs(images).create(new Path(images + "/empty.png")).close();
        upload(Files.writeString(local.resolve("image-spec.json"), IMAGE_SPEC), root + "/e2e/image-spec.json");
        float[] pillow = NpyReader.read(PILLOW.resolve("rgb_down.tensor.npy")).data();

        String out = root + "/runs/images";
        JobSummary summary = job.run(spark(), JobOptions.of(root + "/e2e/image-spec.json", images, out)
                .withTensorFormat(TensorFormat.IMAGE).withOutput(TensorFormat.PARQUET, true).withOnBadRow(BadRowPolicy.SKIP));
        assertEquals(3, summary.rows());
        assertEquals(1, summary.rejected());
        assertCommitted(out);
        float[] expected = Model.fromSpec(SpecParser.parse(IMAGE_SPEC)).apply(new Tensor(new int[] {3, 28, 28}, pillow)).data();
        // ids are the files' qualified paths, as Spark's file sources give them (file:/... for a local path)
        String qualifiedImages = fs(images).makeQualified(new Path(images)).toString();
        Map<String, float[]> byName = new TreeMap<>();
        for (Row r : spark().read().parquet(out).select("id", "tensor").collectAsList()) {
            Assertions.assertTrue(r.getString(0).startsWith(qualifiedImages + "/"), r.getString(0));
            byName.put(new Path(r.getString(0)).getName(), floats(r.getList(1)));
        }
        assertEquals(good, List.copyOf(byName.keySet()));
        for (int i = 0; i < expected.length; i++) assertEquals(expected[i], byName.get("rgb_64x48.png")[i], 1e-5, "element " + i);
        List<Row> rejected = spark().read().json(out + "/" + OutputDirectory.REJECTED).collectAsList();
        assertEquals(1, rejected.size());
        assertEquals(qualifiedImages + "/empty.png", rejected.get(0).getString(rejected.get(0).fieldIndex("file")));
        assertEquals("empty file (0 bytes), not an image", rejected.get(0).getString(rejected.get(0).fieldIndex("reason")));

        // the data source, its spec read from the storage too
        Map<String, float[]> read = new TreeMap<>();
        for (Row r : spark().read().format("image-tensor").option("spec", root + "/e2e/image-spec.json").load(images + "/rgb_*")
                .collectAsList()) {
            read.put(new Path(r.getString(0)).getName(), floats(r.getList(1)));
        }
        assertEquals(List.of("rgb_40x30.jpg", "rgb_64x48.png"), List.copyOf(read.keySet()));
        for (int i = 0; i < pillow.length; i++) assertEquals(pillow[i], read.get("rgb_64x48.png")[i], 1e-5, "element " + i);
    }
}
