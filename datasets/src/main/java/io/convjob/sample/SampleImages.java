package io.convjob.sample;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The image set {@code convjob demo --images} runs on: {@value #PER_CLASS} images of each of four patterns (discs,
 * stripes, checkerboards, rings), 56 to 84 pixels a side, colour and gray, PNG and JPEG, drawn from a fixed seed.
 * Each pattern has its own colours (with jitter), as photos of one kind of thing tend to. The file name starts with
 * the pattern, so a nearest neighbour of the same pattern is easy to see. Committed under
 * {@code datasets/src/main/resources/sample-images/}; regenerate with {@code java io.convjob.sample.SampleImages DIR}.
 */
public final class SampleImages {
    private SampleImages() {}

    public static final List<String> PATTERNS = List.of("disc", "stripes", "checker", "rings");
    public static final int PER_CLASS = 10;
    private static final String RESOURCE_DIR = "sample-images/";

    /** The file names, e.g. {@code disc-00.png}, {@code stripes-02.jpg}. */
    public static List<String> fileNames() {
        List<String> names = new ArrayList<>();
        for (String pattern : PATTERNS) {
            for (int i = 0; i < PER_CLASS; i++) names.add(String.format("%s-%02d.%s", pattern, i, i % 3 == 2 ? "jpg" : "png"));
        }
        return names;
    }

    /** Writes the image set into {@code dir}. */
    public static void generate(Path dir) {
        Random random = new Random(20261129);
        try {
            Files.createDirectories(dir);
            for (String name : fileNames()) {
                String pattern = name.substring(0, name.indexOf('-'));
                boolean gray = name.endsWith("3.png") || name.endsWith("7.png");
                BufferedImage image = draw(pattern, 56 + random.nextInt(29), 56 + random.nextInt(29), gray, random);
                ImageIO.write(image, name.endsWith(".jpg") ? "jpg" : "png", dir.resolve(name).toFile());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static BufferedImage draw(String pattern, int w, int h, boolean gray, Random random) {
        BufferedImage image = new BufferedImage(w, h, gray ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_INT_RGB);
        int k = PATTERNS.indexOf(pattern);
        int[] fg = jittered(PALETTE[k][0], random);
        int[] bg = jittered(PALETTE[k][1], random);
        double cx = w * (0.35 + 0.3 * random.nextDouble());
        double cy = h * (0.35 + 0.3 * random.nextDouble());
        double size = Math.min(w, h) * (0.2 + 0.15 * random.nextDouble());
        double angle = random.nextDouble() * Math.PI;
        double period = 6 + 8 * random.nextDouble();
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double t = switch (pattern) {
                    case "disc" -> Math.hypot(x - cx, y - cy) < size ? 1 : 0;
                    case "stripes" -> 0.5 + 0.5 * Math.sin(2 * Math.PI * (x * Math.cos(angle) + y * Math.sin(angle)) / period);
                    case "checker" -> ((int) Math.floor(x / (period * 0.8)) + (int) Math.floor(y / (period * 0.8))) % 2;
                    default -> 0.5 + 0.5 * Math.cos(2 * Math.PI * Math.hypot(x - cx, y - cy) / period);
                };
                int noise = random.nextInt(17) - 8;
                int r = clamp(bg[0] + t * (fg[0] - bg[0]) + noise);
                int g = clamp(bg[1] + t * (fg[1] - bg[1]) + noise);
                int b = clamp(bg[2] + t * (fg[2] - bg[2]) + noise);
                if (gray) image.getRaster().setSample(x, y, 0, (r * 299 + g * 587 + b * 114) / 1000);
                else image.setRGB(x, y, (r << 16) | (g << 8) | b);
            }
        }
        return image;
    }

    /** Each pattern's foreground and background colours, as a photo set of four kinds of things would differ. */
    private static final int[][][] PALETTE = {
            {{230, 190, 60}, {40, 70, 150}},     // disc: yellow on blue
            {{200, 60, 50}, {235, 225, 210}},    // stripes: red on cream
            {{30, 30, 30}, {200, 200, 200}},     // checker: black on gray
            {{60, 170, 90}, {120, 40, 110}},     // rings: green on purple
    };

    /** The colour moved by up to 50 per channel. */
    private static int[] jittered(int[] colour, Random random) {
        return new int[] {clamp(colour[0] + random.nextInt(101) - 50), clamp(colour[1] + random.nextInt(101) - 50),
                clamp(colour[2] + random.nextInt(101) - 50)};
    }

    private static int clamp(double v) {
        return (int) Math.max(0, Math.min(255, Math.round(v)));
    }

    /** Copies the committed image set from the classpath into {@code dir} (works from a jar too). */
    public static void extract(Path dir) {
        try {
            Files.createDirectories(dir);
            for (String name : fileNames()) {
                try (InputStream in = SampleImages.class.getClassLoader().getResourceAsStream(RESOURCE_DIR + name)) {
                    if (in == null) throw new IllegalStateException("sample image missing from the classpath: " + RESOURCE_DIR + name);
                    Files.copy(in, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static void main(String[] args) {
        if (args.length != 1) {
            System.err.println("usage: java io.convjob.sample.SampleImages DIR");
            System.exit(2);
        }
        generate(Path.of(args[0]));
    }
}
