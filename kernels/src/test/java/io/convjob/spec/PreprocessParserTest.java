package io.convjob.spec;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class PreprocessParserTest {
    private static final String LAYER = "\"layer\": \"Conv2d\", \"in_channels\": 3, \"out_channels\": 4, \"kernel_size\": 3, \"key\": 0";

    @Test
    void theIssueExampleInAStack() {
        ModelSpec spec = SpecParser.parse("{\"preprocess\": {\"resize\": 256, \"center_crop\": 224, \"channels\": \"RGB\","
                + " \"scale\": 0.00392156862745098, \"mean\": [0.485, 0.456, 0.406], \"std\": [0.229, 0.224, 0.225]},"
                + " \"layers\": [{" + LAYER + "}]}");
        Preprocess p = spec.preprocess();
        assertEquals(Preprocess.Resize.shorterSide(256), p.resize());
        assertArrayEquals(new int[] {224, 224}, p.centerCrop());
        assertEquals(ImageChannels.RGB, p.channels());
        assertEquals(1 / 255.0, p.scale(), 1e-15);
        assertArrayEquals(new double[] {0.485, 0.456, 0.406}, p.mean());
        assertArrayEquals(new int[] {224, 224}, p.fixedSize());
        assertEquals(1, spec.layers().size());
    }

    @Test
    void besideASingleLayerAndOptional() {
        ModelSpec spec = SpecParser.parse("{" + LAYER + ", \"preprocess\": {\"resize\": [32, 48], \"channels\": \"l\"}}");
        assertEquals(Preprocess.Resize.exact(32, 48), spec.preprocess().resize());
        assertEquals(ImageChannels.L, spec.preprocess().channels());
        assertArrayEquals(new int[] {32, 48}, spec.preprocess().fixedSize());
        assertNull(SpecParser.parse("{" + LAYER + "}").preprocess());
    }

    @Test
    void torchvisionShorterSideSizes() {
        Preprocess.Resize r = Preprocess.Resize.shorterSide(256);
        assertArrayEquals(new int[] {256, 341}, r.outputSize(480, 640)); // int(256 * 640 / 480) = 341
        assertArrayEquals(new int[] {384, 256}, r.outputSize(600, 400));
        assertArrayEquals(new int[] {256, 256}, r.outputSize(10, 10));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"resize\": 0}|preprocess.resize: sizes must be >= 1, got 0",
            "{\"resize\": [1, 2, 3]}|preprocess.resize: expected an int or [height, width], got [1, 2, 3]",
            "{\"center_crop\": \"224\"}|preprocess.center_crop: expected an int or [height, width], got \"224\"",
            "{\"channels\": \"CMYK\"}|preprocess.channels: expected \"L\", \"LA\", \"RGB\" or \"RGBA\", got \"CMYK\"",
            "{\"scale\": 0}|preprocess.scale: must be > 0, got 0",
            "{\"std\": [0.2, 0]}|preprocess.std: every value must be > 0, got [0.2, 0]",
            "{\"mean\": [0.5, 0.5], \"std\": [0.2]}|preprocess.std: has 1 values but mean has 2",
            "{\"channels\": \"RGB\", \"mean\": [0.5, 0.5]}|preprocess.mean: has 2 values, expected 1 or 3 (channels RGB)",
            "{\"interpolation\": \"bicubic\"}|preprocess.interpolation: only \"bilinear\" (Pillow's BILINEAR, torchvision's default) is supported, got \"bicubic\"",
            "{\"resise\": 3}|preprocess.resise: unknown key; known keys: resize, center_crop, channels, interpolation, scale, mean, std",
            "[1]|preprocess: expected an object like {\"resize\": 256, \"center_crop\": 224}, got [1]",
    })
    void badSectionsNameTheKey(String section, String message) {
        SpecException e = assertThrows(SpecException.class,
                () -> SpecParser.parse("{\"preprocess\": " + section + ", \"layers\": [{" + LAYER + "}]}"));
        assertEquals(message, e.getMessage());
    }
}
