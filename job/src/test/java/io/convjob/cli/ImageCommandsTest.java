package io.convjob.cli;

import io.convjob.sample.SampleImages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code demo --images} and {@code show}, as a user runs them. */
class ImageCommandsTest {
    private static final Path SPEC = Path.of("..", "conf", "specs", "image-features.json");
    private static final Path IMAGE = Path.of("..", "datasets", "src", "test", "resources", "pillow-reference", "rgb_64x48.png");

    @Test
    void demoImagesWritesFeaturesAndFindsNeighboursOfTheSamePattern(@TempDir Path tmp) {
        Path output = tmp.resolve("features");
        CliRun run = CliRun.of("demo", "--images", "--spec", SPEC.toString(), "--output", output.toString(),
                "--master", "local[2]");
        assertEquals(0, run.code(), run.err());
        assertTrue(Files.exists(output.resolve("_SUCCESS")));
        String out = run.out();
        assertTrue(out.contains("rows: 40 (rejected: 0)"), out);
        for (String pattern : SampleImages.PATTERNS) {
            assertTrue(Pattern.compile("  " + pattern + "-00\\.png +->( +\\S+ \\(\\d\\.\\d{3}\\)){3}").matcher(out).find(), out);
        }
        Matcher same = Pattern.compile("demo: (\\d+) of 40 images have a nearest neighbour of the same pattern").matcher(out);
        assertTrue(same.find(), out);
        // four patterns: chance is about a quarter
        assertTrue(Integer.parseInt(same.group(1)) >= 30, out);
        assertTrue(Pattern.compile("images/s end to end .* vs [\\d.]+ images/s for the model alone").matcher(out).find(), out);
    }

    @Test
    void showWritesOneRowOfMapsPerLayer(@TempDir Path tmp) throws IOException {
        Path png = tmp.resolve("maps.png");
        CliRun run = CliRun.of("show", "--spec", SPEC.toString(), "--input", IMAGE.toString(), "--output", png.toString(),
                "--channels", "8", "--cell", "32");
        assertEquals(0, run.code(), run.err());
        BufferedImage image = ImageIO.read(png.toFile());
        // the input and 13 layers; 8 maps a row; 32 px cells with 2 px gaps
        assertEquals(14 * 34 + 2, image.getHeight());
        assertEquals(8 * 34 + 2, image.getWidth());
        assertTrue(run.out().contains("row 13: layers[12] Flatten -> [128] (1 of 1 maps)"), run.out());
        // every map row has structure: its first map is not one flat gray (the 1x1 pool and the vector excepted)
        for (int row = 0; row < 12; row++) {
            int top = 2 + row * 34;
            int min = 255;
            int max = 0;
            for (int y = 0; y < 32; y++) for (int x = 0; x < 32; x++) {
                int v = image.getRaster().getSample(2 + x, top + y, 0);
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
            assertTrue(max - min > 50, "row " + row + " is flat: " + min + ".." + max);
        }
    }

    @Test
    void showNamesABadImage(@TempDir Path tmp) throws IOException {
        Path bad = Files.writeString(tmp.resolve("bad.png"), "no image here");
        CliRun run = CliRun.of("show", "--spec", SPEC.toString(), "--input", bad.toString(), "--output",
                tmp.resolve("maps.png").toString());
        assertEquals(2, run.code());
        assertEquals("error: " + bad + ": not an image javax.imageio can read (PNG, JPEG, GIF, BMP, TIFF, WBMP)", run.errLines());
        assertFalse(Files.exists(tmp.resolve("maps.png")));
    }
}
