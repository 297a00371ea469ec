package io.convjob.image;

import io.convjob.spec.ImageChannels;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Real files, real damage: each bad file gives one line naming it and the reason. */
class ImageDecoderTest {
    private static byte[] golden(String name) throws IOException {
        return Files.readAllBytes(PillowReferenceTest.DIR.resolve(name));
    }

    @Test
    void keepsSixteenBitSamplesAndModes() throws IOException {
        DecodedImage gray16 = ImageDecoder.decode(golden("gray16_48x40.png"), "g");
        assertEquals(ImageChannels.L, gray16.channels());
        assertEquals(16, gray16.bitDepth());
        assertTrue(Arrays.stream(gray16.samples()).max().orElseThrow() > 255);
        DecodedImage rgb16 = ImageDecoder.decode(golden("rgb16_36x30.png"), "c");
        assertEquals(ImageChannels.RGB, rgb16.channels());
        assertEquals(16, rgb16.bitDepth());
        assertEquals(ImageChannels.LA, ImageDecoder.decode(golden("la_31x29.png"), "la").channels());
        assertEquals(ImageChannels.RGBA, ImageDecoder.decode(golden("rgba_45x33.png"), "rgba").channels());
        assertEquals(ImageChannels.L, ImageDecoder.decode(golden("gray_35x45.jpg"), "j").channels());
        DecodedImage jpeg = ImageDecoder.decode(golden("rgb_40x30.jpg"), "j");
        assertEquals(40, jpeg.width());
        assertEquals(30, jpeg.height());
    }

    @Test
    void emptyFile() {
        ImageFormatException e = assertThrows(ImageFormatException.class, () -> ImageDecoder.decode(new byte[0], "a/empty.png"));
        assertEquals("a/empty.png: empty file (0 bytes), not an image", e.getMessage());
    }

    @Test
    void notAnImage() {
        ImageFormatException e = assertThrows(ImageFormatException.class,
                () -> ImageDecoder.decode("hello, world\n".getBytes(StandardCharsets.UTF_8), "notes.png"));
        assertEquals("notes.png: not an image javax.imageio can read (PNG, JPEG, GIF, BMP, TIFF, WBMP)", e.getMessage());
    }

    @Test
    void truncatedPng() throws IOException {
        byte[] png = golden("rgb_64x48.png");
        ImageFormatException e = assertThrows(ImageFormatException.class,
                () -> ImageDecoder.decode(Arrays.copyOf(png, png.length / 2), "half.png"));
        assertTrue(e.getMessage().startsWith("half.png: truncated or corrupt image: "), e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
    }

    @Test
    void truncatedJpeg() throws IOException {
        byte[] jpeg = golden("rgb_40x30.jpg");
        ImageFormatException e = assertThrows(ImageFormatException.class,
                () -> ImageDecoder.decode(Arrays.copyOf(jpeg, jpeg.length * 2 / 3), "cut.jpg"));
        assertTrue(e.getMessage().startsWith("cut.jpg: "), e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
    }

    @Test
    void corruptPngData() throws IOException {
        byte[] png = golden("rgb_64x48.png").clone();
        for (int i = 60; i < png.length - 20; i += 7) png[i] ^= 0x5A; // inside IDAT: CRC and zlib errors
        ImageFormatException e = assertThrows(ImageFormatException.class, () -> ImageDecoder.decode(png, "bits.png"));
        assertTrue(e.getMessage().startsWith("bits.png: "), e.getMessage());
    }
    @Test
    void aSmallFileDeclaringAHugeImageIsRefusedBeforeDecoding() {
        // a 45-byte PNG (signature, IHDR, IEND) declaring 100000 x 100000 RGB: javax.imageio would allocate its raster
        java.io.ByteArrayOutputStream png = new java.io.ByteArrayOutputStream();
        png.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
        java.nio.ByteBuffer ihdr = java.nio.ByteBuffer.allocate(13).putInt(100_000).putInt(100_000)
                .put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0);
        chunk(png, "IHDR", ihdr.array());
        chunk(png, "IEND", new byte[0]);
        ImageFormatException e = assertThrows(ImageFormatException.class, () -> ImageDecoder.decode(png.toByteArray(), "huge.png"));
        assertEquals("huge.png: 100000x100000 is 10000000000 pixels, more than the limit of 89478485"
                + " (a decompression bomb, or resize it first)", e.getMessage());
    }

    private static void chunk(java.io.ByteArrayOutputStream out, String type, byte[] data) {
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        byte[] typeBytes = type.getBytes(StandardCharsets.US_ASCII);
        crc.update(typeBytes);
        crc.update(data);
        out.writeBytes(java.nio.ByteBuffer.allocate(4).putInt(data.length).array());
        out.writeBytes(typeBytes);
        out.writeBytes(data);
        out.writeBytes(java.nio.ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }
}
