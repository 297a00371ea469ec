package io.convjob.job;

import io.convjob.format.TensorFormat;
import io.convjob.job.input.ImageInput;
import io.convjob.spark.TensorSchemas;
import io.convjob.job.input.ParquetTensorShape;
import io.convjob.job.model.WeightsLoader;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.spark.ml.clustering.KMeans;
import org.apache.spark.ml.clustering.KMeansModel;
import org.apache.spark.ml.feature.PCA;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@code --output-format parquet --vector}: Spark ML's KMeans and PCA take the vector column as written; pyarrow
 * reads the tensor column back as {@code arrow.fixed_shape_tensor} with its shape; the files are valid job input.
 */
class ParquetOutputTest extends SparkTestBase {
    private final ConvolutionJob job = new ConvolutionJob(WeightsLoader.standard());

    /** Reddish and bluish noisy images: two groups any feature extractor keeps apart. */
    static Path twoColourGroups(Path dir, int perGroup) throws IOException {
        Files.createDirectories(dir);
        Random random = new Random(7);
        for (int i = 0; i < 2 * perGroup; i++) {
            boolean red = i % 2 == 0;
            BufferedImage image = new BufferedImage(40 + i, 36, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < image.getHeight(); y++) {
                for (int x = 0; x < image.getWidth(); x++) {
                    int strong = 150 + random.nextInt(100);
                    int weak = random.nextInt(80);
                    image.setRGB(x, y, red ? (strong << 16) | (weak << 8) | weak : (weak << 16) | (weak << 8) | strong);
                }
            }
            ImageIO.write(image, i % 3 == 0 ? "jpg" : "png", dir.resolve((red ? "red" : "blue") + i + (i % 3 == 0 ? ".jpg" : ".png")).toFile());
        }
        return dir;
    }

    @Test
    void kmeansAndPcaTakeTheVectorColumnAndPyarrowReadsTheTensor(@TempDir Path tmp) throws Exception {
        Path images = twoColourGroups(tmp.resolve("images"), 5);
        Path out = tmp.resolve("out");
        JobSummary summary = job.run(spark(), JobOptions.of(ImageJobTest.spec(tmp), images.toString(), out.toString())
                .withTensorFormat(TensorFormat.IMAGE).withOutput(TensorFormat.PARQUET, true));
        assertEquals(10, summary.rows());
        Assertions.assertTrue(Files.exists(out.resolve("_SUCCESS")));

        Dataset<Row> df = spark().read().parquet(out.toString());
        assertEquals(new VectorUDT(), df.schema().apply(JobOptions.VECTOR_COLUMN).dataType());
        assertEquals(TensorSchemas.TENSOR_TYPE.elementType(), ((org.apache.spark.sql.types.ArrayType) df.schema().apply("tensor").dataType()).elementType());

        KMeansModel kmeans = new KMeans().setK(2).setSeed(1).fit(df);
        Map<String, Integer> cluster = new HashMap<>();
        for (Row r : kmeans.transform(df).select("id", "prediction").collectAsList()) {
            String name = Path.of(java.net.URI.create(r.getString(0))).getFileName().toString();
            cluster.put(name, r.getInt(1));
        }
        assertEquals(10, cluster.size());
        int redCluster = cluster.get("red0.jpg");
        cluster.forEach((name, c) -> assertEquals(name.startsWith("red") ? redCluster : 1 - redCluster, c, name));

        List<Row> projected = new PCA().setInputCol(JobOptions.VECTOR_COLUMN).setOutputCol("pca").setK(3).fit(df)
                .transform(df).select("pca").collectAsList();
        assertEquals(3, ((Vector) projected.get(0).get(0)).size());

        // the shape as pyarrow writes it: readable by our own Parquet input path ...
        String part = spark().read().parquet(out.toString()).inputFiles()[0];
        assertArrayEquals(summary.outputShape(), ParquetTensorShape.read(spark().sparkContext().hadoopConfiguration(), part, "tensor"));
        // ... and by pyarrow, as a fixed_shape_tensor column with the same values Spark sees
        JsonNode seen = pyarrow(out, "tensor");
        assertEquals("arrow.fixed_shape_tensor", seen.get("extension").asText(), seen.toPrettyString());
        assertEquals(List.of(4, 13, 13), new ObjectMapper().convertValue(seen.get("shape"), List.class));
        assertEquals(10, seen.get("rows").asInt());
        for (Row r : df.select("id", "tensor").collectAsList()) {
            double sum = 0;
            for (Object v : r.getList(1)) sum += ((Number) v).doubleValue();
            assertEquals(sum, seen.get("sums").get(r.getString(0)).asDouble(), 1e-3 * Math.max(1, Math.abs(sum)));
        }
    }

    /** pyarrow's view of the output, from {@code src/test/python/read_parquet.py} in the shared test virtualenv. */
    static JsonNode pyarrow(Path dir, String column) throws IOException, InterruptedException {
        Path root = Path.of(System.getProperty("convjob.root", ".."));
        String python = run(List.of("bash", root.resolve(".ci/pyenv").toString())).strip().lines().reduce((a, b) -> b).orElseThrow();
        String json = run(List.of(python, "src/test/python/read_parquet.py", dir.toString(), column));
        return new ObjectMapper().readTree(json);
    }

    private static String run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new AssertionError(String.join(" ", command) + " failed (exit " + p.exitValue() + "): " + out);
        }
        return out;
    }
}
