package io.convjob.spark.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.convjob.arrow.FixedShapeTensorType;
import io.convjob.error.InputException;
import io.convjob.io.NpyReader;
import io.convjob.spark.TensorSchemas;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code image-tensor} source in a real local[2] session: every Pillow reference case read through
 * {@code spark.read().format("image-tensor")} with its preprocess keys as options, matching Pillow as the in-process
 * preprocessing must; a folder read with the {@code spec} option (JSON text and a spec file); the tensor column's
 * metadata as {@code arrow-tensor} gives it; bad files failing with one line or kept with their reason; bad options.
 */
class ImageTensorSourceTest {
    static final Path GOLDEN = Path.of("src/test/resources/pillow-reference");
    static final String SPEC = "{\"preprocess\": {\"resize\": 32, \"center_crop\": 28, \"channels\": \"RGB\","
            + " \"scale\": 0.00392156862745098, \"mean\": [0.485, 0.456, 0.406], \"std\": [0.229, 0.224, 0.225]},"
            + " \"layers\": [{\"layer\": \"Conv2d\", \"in_channels\": 3, \"out_channels\": 4, \"kernel_size\": 3, \"key\": 0}]}";
    private static SparkSession spark;

    @BeforeAll
    static void startSpark() {
        spark = SparkSession.builder().master("local[2]").appName("ImageTensorSourceTest")
                .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2").getOrCreate();
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
    }

    private static DataFrameReader images() {
        return spark.read().format("image-tensor");
    }

    static float[] floats(List<Object> values) {
        float[] f = new float[values.size()];
        for (int i = 0; i < f.length; i++) f[i] = ((Number) values.get(i)).floatValue();
        return f;
    }

    private static String fileName(Row row) {
        return Path.of(URI.create(row.getString(row.fieldIndex("id")))).getFileName().toString();
    }

    @TestFactory
    List<DynamicTest> everyPillowCaseThroughThePreprocessOptions() throws IOException {
        JsonNode root = new ObjectMapper().readTree(GOLDEN.resolve("cases.json").toFile());
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : root.get("cases")) tests.add(DynamicTest.dynamicTest(c.get("name").asText(), () -> check(c)));
        assertTrue(tests.size() >= 20, "cases: " + tests.size());
        return tests;
    }

    private static void check(JsonNode c) throws IOException {
        DataFrameReader reader = images();
        JsonNode preprocess = c.get("preprocess");
        for (var e : preprocess.properties()) {
            reader = reader.option(e.getKey(), e.getValue().isTextual() ? e.getValue().textValue() : e.getValue().toString());
        }
        Dataset<Row> df = reader.load(GOLDEN.resolve(c.get("image").asText()).toString());
        List<Row> rows = df.collectAsList();
        assertEquals(1, rows.size());
        float[] reference = NpyReader.read(GOLDEN.resolve(c.get("name").asText() + ".tensor.npy")).data();
        int[] shape = NpyReader.read(GOLDEN.resolve(c.get("name").asText() + ".tensor.npy")).shape();
        assertArrayEquals(shape, TensorSchemas.shapeOf(df.schema().apply("tensor")));
        assertEquals(c.get("image").asText(), fileName(rows.get(0)));
        float[] tensor = floats(rows.get(0).getList(1));
        assertEquals(reference.length, tensor.length);
        // compared before Normalize, as PillowReferenceTest does: exact cases to float rounding, the others within 2/255
        double limit = c.get("match").asText().equals("exact") ? 1e-6 : 2.0 / 255;
        int plane = shape[1] * shape[2];
        for (int i = 0; i < tensor.length; i++) {
            double std = std(preprocess, i / plane);
            assertTrue(Math.abs(tensor[i] - reference[i]) * std <= limit, c.get("name") + " element " + i + ": " + tensor[i]
                    + " vs Pillow " + reference[i]);
        }
    }

    private static double std(JsonNode preprocess, int channel) {
        JsonNode std = preprocess.get("std");
        if (std == null) return 1;
        if (std.isNumber()) return std.asDouble();
        return std.get(std.size() == 1 ? 0 : channel).asDouble();
    }

    private static Path folder(Path tmp, String... names) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("photos"));
        for (String n : names) Files.copy(GOLDEN.resolve(n), dir.resolve(n));
        return dir;
    }

    @Test
    void aFolderWithTheSpecOptionGivesOneRowPerFileWithArrowTensorsMetadata(@TempDir Path tmp) throws IOException {
        Path dir = folder(tmp, "rgb_64x48.png", "rgb_40x30.jpg", "gray_50x70.png", "rgba_45x33.png", "gray16_48x40.png");
        Files.writeString(dir.resolve("_SUCCESS"), "");
        Files.writeString(dir.resolve(".hidden.png"), "skipped as Spark's file sources skip it");
        Path specFile = Files.writeString(tmp.resolve("spec.json"), SPEC);
        float[] rgbDown = NpyReader.read(GOLDEN.resolve("rgb_down.tensor.npy")).data();

        for (String spec : List.of(SPEC, specFile.toString())) {
            Dataset<Row> df = images().option("spec", spec).load(dir.toString());
            StructField tensor = df.schema().apply("tensor");
            assertEquals(TensorSchemas.tensorField("tensor", false, FixedShapeTensorType.of(new int[] {3, 28, 28})), tensor);
            assertEquals("id", df.schema().fields()[0].name());
            assertEquals(5, df.rdd().getNumPartitions(), "a task per file while there are fewer than 3 per core");
            Map<String, float[]> byFile = new HashMap<>();
            for (Row r : df.collectAsList()) byFile.put(fileName(r), floats(r.getList(1)));
            assertEquals(List.of("gray16_48x40.png", "gray_50x70.png", "rgb_40x30.jpg", "rgb_64x48.png", "rgba_45x33.png"),
                    byFile.keySet().stream().sorted().toList());
            float[] ours = byFile.get("rgb_64x48.png");
            for (int i = 0; i < ours.length; i++) assertEquals(rgbDown[i], ours[i], 1e-5, "element " + i);
        }
        // a glob, and filesPerPartition
        Dataset<Row> pngs = images().option("spec", SPEC).option("filesPerPartition", "1").load(dir + "/*.png");
        assertEquals(4, pngs.count());
        assertEquals(4, pngs.rdd().getNumPartitions());
    }

    @Test
    void aBadFileFailsWithOneLineNamingItOrIsKeptWithItsReason(@TempDir Path tmp) throws IOException {
        Path dir = folder(tmp, "rgb_64x48.png");
        Files.write(dir.resolve("empty.png"), new byte[0]);
        Files.writeString(dir.resolve("notes.txt"), "not an image\n");

        Exception failed = assertThrows(Exception.class, () -> images().option("spec", SPEC).load(dir.toString()).collectAsList());
        InputException cause = inputCause(failed);
        assertTrue(cause.getMessage().matches("file:.*/photos/(empty\\.png: empty file \\(0 bytes\\), not an image"
                + "|notes\\.txt: not an image javax\\.imageio can read \\(PNG, JPEG, GIF, BMP, TIFF, WBMP\\))"), cause.getMessage());

        Dataset<Row> kept = images().option("spec", SPEC).option("reasonColumn", "reason").load(dir.toString());
        assertTrue(kept.schema().apply("tensor").nullable());
        Map<String, Row> byFile = new HashMap<>();
        for (Row r : kept.collectAsList()) byFile.put(fileName(r), r);
        assertEquals(3, byFile.size());
        assertNull(byFile.get("rgb_64x48.png").get(2));
        assertEquals(3 * 28 * 28, byFile.get("rgb_64x48.png").getList(1).size());
        assertNull(byFile.get("empty.png").get(1));
        assertEquals("empty file (0 bytes), not an image", byFile.get("empty.png").getString(2));
        assertEquals("not an image javax.imageio can read (PNG, JPEG, GIF, BMP, TIFF, WBMP)", byFile.get("notes.txt").getString(2));
    }

    private static InputException inputCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) if (t instanceof InputException i) return i;
        throw new AssertionError("no InputException in", e);
    }

    @Test
    void badOptionsAndPathsAreOneLineBeforeAnyTask(@TempDir Path tmp) throws IOException {
        Path dir = folder(tmp, "rgb_64x48.png");
        assertEquals("image-tensor: say how to preprocess the images: option spec (a spec with a \"preprocess\" section, or"
                + " its path), or the preprocess keys as options, e.g. resize=256, center_crop=224, channels=RGB",
                assertThrows(InputException.class, () -> images().load(dir.toString())).getMessage());
        assertEquals("image-tensor option channels: missing; give L, LA, RGB or RGBA",
                assertThrows(InputException.class, () -> images().option("center_crop", "8").load(dir.toString())).getMessage());
        assertEquals("preprocess.interpolation: only \"bilinear\" (Pillow's BILINEAR, torchvision's default) is supported, got \"nearest\"",
                assertThrows(InputException.class, () -> images().option("center_crop", "8").option("channels", "RGB")
                        .option("interpolation", "nearest").load(dir.toString())).getMessage());
        assertTrue(assertThrows(InputException.class, () -> images().option("spec", SPEC).option("resize", "8").load(dir.toString()))
                .getMessage().startsWith("image-tensor: give option spec or the preprocess keys, not both"));
        assertTrue(assertThrows(InputException.class, () -> images().option("spec", SPEC).option("colum", "x").load(dir.toString()))
                .getMessage().startsWith("image-tensor option colum: unknown;"));
        assertEquals("image-tensor: " + tmp.resolve("nothing").toUri().getPath().replaceAll("/$", "") + ": no such file or directory",
                assertThrows(InputException.class, () -> images().option("spec", SPEC).load(tmp.resolve("nothing").toString())).getMessage());
        assertEquals("foo://bucket/photos: no FileSystem for scheme \"foo\" (add a Hadoop FileSystem for it to the classpath)",
                assertThrows(InputException.class, () -> images().option("spec", SPEC).load("foo://bucket/photos")).getMessage());
        assertEquals("image-tensor: no files match " + dir + "/*.webp",
                assertThrows(InputException.class, () -> images().option("spec", SPEC).load(dir + "/*.webp")).getMessage());
    }
}
