package io.convjob.job;

import io.convjob.format.TensorFormat;
import io.convjob.job.input.ImageInput;
import io.convjob.spark.TensorSchemas;
import io.convjob.job.input.ParquetTensorShape;
import io.convjob.job.model.WeightsLoader;
import io.convjob.Model;
import io.convjob.Tensor;
import io.convjob.error.InputException;
import io.convjob.io.NpyReader;
import io.convjob.spec.SpecParser;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import org.junit.jupiter.api.Assertions;

/**
 * {@code run --input-format image} end to end in local[2]: real PNG and JPEG files in, the model's output per file
 * out; checked against the model applied in-process to Pillow's reference tensor. Bad files fail the job with one
 * line naming the file, or go to {@code _rejected} with the reason.
 */
class ImageJobTest extends SparkTestBase {
    static final Path GOLDEN = Path.of("../datasets/src/test/resources/pillow-reference");
    /** the preprocessing of the golden case rgb_down, so its reference tensor is the model's input */
    static final String SPEC = "{\"preprocess\": {\"resize\": 32, \"center_crop\": 28, \"channels\": \"RGB\","
            + " \"scale\": 0.00392156862745098, \"mean\": [0.485, 0.456, 0.406], \"std\": [0.229, 0.224, 0.225]},"
            + " \"layers\": [{\"layer\": \"Conv2d\", \"in_channels\": 3, \"out_channels\": 4, \"kernel_size\": 3,"
            + " \"stride\": 2, \"key\": 0}, {\"layer\": \"relu\"}]}";

    private final ConvolutionJob job = new ConvolutionJob(WeightsLoader.standard());

    static Path imageDir(Path tmp, String... names) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("images"));
        for (String n : names) Files.copy(GOLDEN.resolve(n), dir.resolve(n));
        return dir;
    }

    static Path spec(Path tmp) throws IOException {
        return Files.writeString(tmp.resolve("spec.json"), SPEC);
    }

    private static Map<String, float[]> readOutput(org.apache.spark.sql.SparkSession spark, Path out) {
        List<Row> rows = spark.read().format("arrow-tensor").load(out.toString()).collectAsList();
        return rows.stream().collect(Collectors.toMap(r -> Path.of(java.net.URI.create(r.getString(0))).getFileName().toString(),
                r -> toFloats(r.getList(1))));
    }

    static float[] toFloats(List<Object> values) {
        float[] f = new float[values.size()];
        for (int i = 0; i < f.length; i++) f[i] = ((Number) values.get(i)).floatValue();
        return f;
    }

    @Test
    void imagesInFeaturesOutMatchingTheModelOnPillowsTensor(@TempDir Path tmp) throws IOException {
        Path images = imageDir(tmp, "rgb_64x48.png", "rgb_40x30.jpg", "gray_50x70.png", "rgba_45x33.png", "gray16_48x40.png");
        Path out = tmp.resolve("out");
        JobSummary summary = job.run(spark(), JobOptions.of(spec(tmp), images.toString(), out.toString())
                .withTensorFormat(TensorFormat.IMAGE).withBatchSize(2));
        assertEquals(5, summary.rows());
        assertArrayEquals(new int[] {3, 28, 28}, summary.inputShape());
        assertArrayEquals(new int[] {4, 13, 13}, summary.outputShape());
        Assertions.assertTrue(Files.exists(out.resolve("_SUCCESS")));

        Map<String, float[]> byFile = readOutput(spark(), out);
        assertEquals(5, byFile.size());
        Model model = Model.fromSpec(SpecParser.parse(SPEC));
        float[] pillowInput = NpyReader.read(GOLDEN.resolve("rgb_down.tensor.npy")).data();
        float[] expected = model.apply(new Tensor(new int[] {3, 28, 28}, pillowInput)).data();
        float[] actual = byFile.get("rgb_64x48.png");
        for (int i = 0; i < expected.length; i++) assertEquals(expected[i], actual[i], 1e-5, "element " + i);
        // the other images: gray, RGBA and 16-bit converted to RGB; each is a full, finite feature map
        for (float[] f : byFile.values()) {
            assertEquals(4 * 13 * 13, f.length);
            Assertions.assertTrue(Arrays.stream(toDoubles(f)).allMatch(Double::isFinite));
        }
    }

    private static double[] toDoubles(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }

    private static Path withBadFiles(Path tmp) throws IOException {
        Path images = imageDir(tmp, "rgb_64x48.png", "rgb_40x30.jpg");
        Files.write(images.resolve("empty.png"), new byte[0]);
        byte[] png = Files.readAllBytes(GOLDEN.resolve("rgb_20x15.png"));
        Files.write(images.resolve("truncated.png"), Arrays.copyOf(png, png.length / 2));
        Files.writeString(images.resolve("notes.txt"), "not an image\n");
        return images;
    }

    @Test
    void aBadImageFailsTheJobWithOneLineNamingIt(@TempDir Path tmp) throws IOException {
        Path images = imageDir(tmp, "rgb_64x48.png");
        Files.write(images.resolve("empty.png"), new byte[0]);
        Path out = tmp.resolve("out");
        InputException e = assertThrows(InputException.class, () -> job.run(spark(),
                JobOptions.of(spec(tmp), images.toString(), out.toString()).withTensorFormat(TensorFormat.IMAGE)));
        Assertions.assertTrue(e.getMessage().matches("file:.*/images/empty\\.png: empty file \\(0 bytes\\), not an image"), e.getMessage());
        assertFalse(Files.exists(out.resolve("_SUCCESS")));
    }

    @Test
    void skipSendsBadImagesToRejectedWithTheReason(@TempDir Path tmp) throws IOException {
        Path images = withBadFiles(tmp);
        Path out = tmp.resolve("out");
        JobSummary summary = job.run(spark(), JobOptions.of(spec(tmp), images.toString(), out.toString())
                .withTensorFormat(TensorFormat.IMAGE).withOnBadRow(BadRowPolicy.SKIP));
        assertEquals(2, summary.rows());
        assertEquals(3, summary.rejected());
        assertEquals(2, readOutput(spark(), out).size());
        Map<String, String> reasons = spark().read().json(out.resolve(ConvolutionJob.REJECTED_DIR).toString())
                .collectAsList().stream().collect(Collectors.toMap(
                        r -> Path.of(java.net.URI.create(r.getString(r.fieldIndex("file")))).getFileName().toString(),
                        r -> r.getString(r.fieldIndex("reason"))));
        assertEquals("empty file (0 bytes), not an image", reasons.get("empty.png"));
        assertEquals("not an image javax.imageio can read (PNG, JPEG, GIF, BMP, TIFF, WBMP)", reasons.get("notes.txt"));
        Assertions.assertTrue(reasons.get("truncated.png").startsWith("truncated or corrupt image: "), reasons.get("truncated.png"));
    }

    @Test
    void imageInputNeedsAPreprocessSection(@TempDir Path tmp) throws IOException {
        Path images = imageDir(tmp, "rgb_64x48.png");
        Path spec = Files.writeString(tmp.resolve("plain.json"),
                "{\"layer\": \"Conv2d\", \"in_channels\": 3, \"out_channels\": 4, \"kernel_size\": 3, \"key\": 0}");
        InputException e = assertThrows(InputException.class, () -> job.run(spark(),
                JobOptions.of(spec, images.toString(), tmp.resolve("out").toString()).withTensorFormat(TensorFormat.IMAGE)));
        assertEquals("preprocess: missing; image input needs the spec's \"preprocess\" section, e.g. {\"resize\": 256,"
                + " \"center_crop\": 224}", e.getMessage());
    }

    /** Bytes read from local files by every Hadoop file system of this JVM so far. */
    private static long localBytesRead() {
        long bytes = 0;
        for (org.apache.hadoop.fs.FileSystem.Statistics s : org.apache.hadoop.fs.FileSystem.getAllStatistics()) {
            if (s.getScheme().equals("file")) bytes += s.getBytesRead();
        }
        return bytes;
    }

    @Test
    void skipReadsAndDecodesEachImageOnce(@TempDir Path tmp) throws IOException {
        // noise does not compress: the images' bytes dwarf everything else the job reads (spec, _rejected's count)
        Path images = Files.createDirectories(tmp.resolve("images"));
        java.util.Random random = new java.util.Random(7);
        long imageBytes = 0;
        for (int i = 0; i < 4; i++) {
            java.awt.image.BufferedImage image = new java.awt.image.BufferedImage(160, 120, java.awt.image.BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < 120; y++) for (int x = 0; x < 160; x++) image.setRGB(x, y, random.nextInt(1 << 24));
            Path file = images.resolve("noise-" + i + ".png");
            javax.imageio.ImageIO.write(image, "png", file.toFile());
            imageBytes += Files.size(file);
        }
        Files.write(images.resolve("empty.png"), new byte[0]);
        Path out = tmp.resolve("out");
        long before = localBytesRead();
        JobSummary summary = job.run(spark(), JobOptions.of(spec(tmp), images.toString(), out.toString())
                .withTensorFormat(TensorFormat.IMAGE).withOnBadRow(BadRowPolicy.SKIP));
        long read = localBytesRead() - before;
        assertEquals(4, summary.rows());
        assertEquals(1, summary.rejected());
        Assertions.assertTrue(read >= imageBytes && read < imageBytes * 5 / 4,
                "read " + read + " bytes for " + imageBytes + " bytes of images (twice would be a second decode)");
    }
}
