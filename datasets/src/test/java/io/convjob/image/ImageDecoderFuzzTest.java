package io.convjob.image;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.convjob.error.InputException;

/**
 * Fuzzes {@link ImageDecoder} (javax.imageio's PNG, JPEG, GIF, BMP, TIFF and WBMP readers behind it): a decoded
 * image whose samples fit its size, or a bad-input error with a usable message; never another throwable, and never
 * an OutOfMemoryError from a small file that declares a huge image.
 * Seeds: {@code src/test/resources/io/convjob/image/ImageDecoderFuzzTestInputs/image/}.
 */
class ImageDecoderFuzzTest {
    /** Smaller than the real limit so that inputs near it stay fast; what is checked is that it holds before decoding. */
    static final long MAX_PIXELS = 1L << 22;

    @FuzzTest(maxDuration = "10s")
    void image(byte[] data) {
        fuzzerTestOneInput(data);
    }

    public static void fuzzerTestOneInput(byte[] data) {
        try {
            DecodedImage image = ImageDecoder.decode(data, "fuzz.img", MAX_PIXELS);
            if (image.samples().length != (long) image.width() * image.height() * image.channels().count()) {
                throw new AssertionError("invalid image " + image);
            }
        } catch (InputException e) {
            io.convjob.arrow.TensorFileFuzzing.requireUsableMessage(e, data);
        }
    }
}
