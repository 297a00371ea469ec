package io.convjob.image;

import io.convjob.spec.ImageChannels;

import javax.imageio.IIOException;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.event.IIOReadWarningListener;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;

/**
 * Decodes image files with {@code javax.imageio} (PNG 8/16-bit gray, gray+alpha, RGB, RGBA and palette; JPEG gray
 * and colour; GIF, BMP, TIFF, WBMP): gray and colour images with 8- or 16-bit samples keep their samples exactly;
 * palette and packed images become 8-bit RGB or RGBA. A decoder warning (a truncated JPEG decodes with one) is an
 * error, so a damaged file is never silently used.
 */
public final class ImageDecoder {
    /**
     * The most pixels an image may have, Pillow's {@code Image.MAX_IMAGE_PIXELS}: checked from the header before the
     * decoder allocates, so a small file declaring a huge image is refused instead of exhausting memory.
     */
    public static final long MAX_PIXELS = 89_478_485L;

    private ImageDecoder() {}

    /**
     * @param file the file's name, for messages
     * @throws ImageFormatException naming the file: empty, not an image, truncated or corrupt, or larger than
     *                              {@link #MAX_PIXELS}
     */
    public static DecodedImage decode(byte[] bytes, String file) {
        return decode(bytes, file, MAX_PIXELS);
    }

    /** As {@link #decode(byte[], String)} with another pixel limit (the fuzz test uses a small one). */
    static DecodedImage decode(byte[] bytes, String file, long maxPixels) {
        if (bytes.length == 0) throw new ImageFormatException(file, ImageFormatException.EMPTY_FILE);
        BufferedImage image;
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new ImageFormatException(file, "not an image javax.imageio can read (PNG, JPEG, GIF, BMP, TIFF, WBMP)");
            }
            ImageReader reader = readers.next();
            StringBuilder warnings = new StringBuilder();
            reader.addIIOReadWarningListener((IIOReadWarningListener) (source, warning) -> {
                if (warnings.isEmpty()) warnings.append(warning);
            });
            try {
                reader.setInput(in, true, true);
                long pixels = (long) reader.getWidth(0) * reader.getHeight(0);
                if (pixels > maxPixels) {
                    throw new ImageFormatException(file, reader.getWidth(0) + "x" + reader.getHeight(0) + " is " + pixels
                            + " pixels, more than the limit of " + maxPixels + " (a decompression bomb, or resize it first)");
                }
                image = reader.read(0);
            } finally {
                reader.dispose();
            }
            if (!warnings.isEmpty()) {
                throw new ImageFormatException(file, "damaged " + format(reader) + " image: " + warnings);
            }
        } catch (ImageFormatException e) {
            throw e;
        } catch (IIOException e) {
            throw new ImageFormatException(file, "truncated or corrupt image: " + message(e), e);
        } catch (IOException | RuntimeException e) { // decoders throw e.g. IndexOutOfBounds on corrupt data
            throw new ImageFormatException(file, "truncated or corrupt image: " + message(e), e);
        }
        if (image == null || image.getWidth() < 1 || image.getHeight() < 1) {
            throw new ImageFormatException(file, "image has no pixels");
        }
        return samples(image);
    }

    private static String format(ImageReader reader) {
        try {
            return reader.getFormatName().toUpperCase(java.util.Locale.ROOT);
        } catch (IOException e) {
            return "";
        }
    }

    private static String message(Throwable e) {
        StringBuilder sb = new StringBuilder(String.valueOf(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
        for (Throwable c = e.getCause(); c != null && c != e; c = c.getCause()) {
            sb.append(": ").append(c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage());
        }
        return sb.toString().replaceAll("\\s*\\R\\s*", " ");
    }

    /** The samples as stored where they are plain gray/RGB components of 8 or 16 bits; else 8-bit (A)RGB. */
    static DecodedImage samples(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        Raster raster = image.getRaster();
        if (image.getColorModel() instanceof ComponentColorModel cm) {
            int bands = raster.getNumBands();
            int type = cm.getColorSpace().getType();
            int depth = raster.getDataBuffer().getDataType() == DataBuffer.TYPE_BYTE ? 8
                    : raster.getDataBuffer().getDataType() == DataBuffer.TYPE_USHORT ? 16 : 0;
            boolean sizesMatch = true;
            for (int b = 0; b < bands; b++) sizesMatch &= cm.getComponentSize(b) == depth;
            boolean gray = type == ColorSpace.TYPE_GRAY && (bands == 1 || bands == 2);
            boolean rgb = type == ColorSpace.TYPE_RGB && cm.getColorSpace().isCS_sRGB() && (bands == 3 || bands == 4);
            if (depth != 0 && sizesMatch && (gray || rgb) && bands == cm.getNumComponents()) {
                int[] samples = raster.getPixels(0, 0, w, h, (int[]) null);
                return new DecodedImage(w, h, ImageChannels.ofCount(bands), depth, samples);
            }
        }
        // palette, packed, bit-per-pixel and other colour spaces: 8-bit sRGB, with alpha if the image has it
        boolean alpha = image.getColorModel().hasAlpha();
        int[] argb = image.getRGB(0, 0, w, h, null, 0, w);
        int c = alpha ? 4 : 3;
        int[] samples = new int[w * h * c];
        for (int i = 0, o = 0; i < argb.length; i++, o += c) {
            int p = argb[i];
            samples[o] = (p >>> 16) & 0xFF;
            samples[o + 1] = (p >>> 8) & 0xFF;
            samples[o + 2] = p & 0xFF;
            if (alpha) samples[o + 3] = p >>> 24;
        }
        return new DecodedImage(w, h, alpha ? ImageChannels.RGBA : ImageChannels.RGB, 8, samples);
    }
}
