package io.convjob.job;

import io.convjob.Model;
import io.convjob.job.frame.Convolutions;
import io.convjob.job.model.ModelCache;
import io.convjob.job.model.ModelPayload;
import io.convjob.job.model.PreparedModel;
import io.convjob.job.model.WeightsLoader;
import io.convjob.ml.ConvTransformer;
import io.convjob.spec.SpecParser;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A spec is parsed once per JVM, counted with {@link SpecParser#parseCount()} around real runs in a local[2]
 * session: the driver parses and checks once; tasks in the driver's JVM reuse the driver's model; an executor that
 * did not build the model (as on a cluster) parses once, however many of its tasks use it.
 */
class SpecParseCountTest extends SparkTestBase {
    private static final Path E2E = Conformance.datasetE2e();
    private static final TensorDirs EXPECTED = TensorDirs.read(E2E.resolve("expected"));

    private final ConvolutionJob job = new ConvolutionJob(WeightsLoader.standard());

    private static JobOptions options(Path output) {
        return JobOptions.of(E2E.resolve("spec.json"), E2E.resolve("input").toString(), output.toString());
    }

    private static long partFiles(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().startsWith("part-")).count();
        }
    }

    @Test
    void fileToFileRunParsesOnceForAllItsTasks(@TempDir Path tmp) throws IOException {
        Path out = tmp.resolve("out");
        long before = SpecParser.parseCount();
        job.run(spark(), options(out));
        assertEquals(1, SpecParser.parseCount() - before);
        TensorDirs.assertMatches(EXPECTED, TensorDirs.read(out));
        assertEquals(4, partFiles(out), "one task per input file");
    }

    @Test
    void dataFrameRunParsesOnceForAllItsTasks(@TempDir Path tmp) throws IOException {
        Path out = tmp.resolve("out");
        long before = SpecParser.parseCount();
        job.run(spark(), options(out).withPartitions(3)); // --partitions takes the DataFrame path
        assertEquals(1, SpecParser.parseCount() - before);
        TensorDirs.assertMatches(EXPECTED, TensorDirs.read(out));
        assertEquals(3, partFiles(out));
    }

    @Test
    void transformerParsesOnceForSchemaAndRows() throws IOException {
        Dataset<Row> df = spark().read().format("arrow-tensor").load(E2E.resolve("input").toString()).repartition(3);
        ConvTransformer conv = new ConvTransformer().setSpec(Files.readString(E2E.resolve("spec.json")))
                .setOutputCol("features");
        long before = SpecParser.parseCount();
        Dataset<Row> features = conv.transform(df); // transform checks its schema first, as a pipeline does
        assertEquals(192, features.select("features").collectAsList().size());
        assertEquals(1, SpecParser.parseCount() - before);
    }

    /** As on a cluster executor: the broadcast arrives without the driver's model; the first task builds it. */
    @Test
    void anExecutorParsesOnceHoweverManyTasksUseTheBroadcast() throws IOException {
        String json = Files.readString(E2E.resolve("spec.json"));
        PreparedModel prepared = PreparedModel.prepare(json, null, WeightsLoader.standard(), io.convjob.storage.Storage.standard(), new int[] {3, 16, 16});
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark().sparkContext());
        Broadcast<ModelPayload> payload = jsc.broadcast(prepared.payload()); // not registered with the cache
        String app = jsc.sc().applicationId();
        long before = SpecParser.parseCount();
        List<int[]> shapes = jsc.parallelize(IntStream.range(0, 8).boxed().toList(), 8).map(i -> {
            Model model = ModelCache.of(app, payload);
            return model.outputShape(new int[] {3, 16, 16});
        }).collect();
        assertEquals(8, shapes.size());
        shapes.forEach(shape -> assertArrayEquals(new int[] {4, 8, 8}, shape));
        assertEquals(1, SpecParser.parseCount() - before, "8 tasks on 2 executor threads, one parse");
        payload.destroy();
    }

    @Test
    void theDriversModelServesTasksInItsJvm() throws IOException {
        String json = Files.readString(E2E.resolve("spec.json"));
        long before = SpecParser.parseCount();
        PreparedModel prepared = PreparedModel.prepare(json, null, WeightsLoader.standard(), io.convjob.storage.Storage.standard(), new int[] {3, 16, 16});
        Broadcast<ModelPayload> payload = Convolutions.broadcast(spark(), prepared);
        String app = spark().sparkContext().applicationId();
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark().sparkContext());
        List<Boolean> same = jsc.parallelize(List.of(1, 2, 3, 4), 4)
                .map(i -> ModelCache.of(app, payload) == ModelCache.of(app, payload)).collect();
        assertTrue(same.stream().allMatch(b -> b));
        assertTrue(ModelCache.of(app, payload) == prepared.model());
        assertEquals(1, SpecParser.parseCount() - before);
        payload.destroy();
    }
}
