package io.convjob.image;

import io.convjob.spec.ImageChannels;

/**
 * Converts an image to other channels as Pillow's {@code Image.convert} does for 8-bit images: gray to colour copies
 * the gray value; colour to gray is ITU-R 601-2 luma in Pillow's fixed point,
 * {@code (19595 R + 38470 G + 7471 B + 0x8000) >> 16}; alpha is dropped, or added fully opaque. 16-bit images follow
 * the same rules at 16 bits (Pillow would first clip them to 8 bits).
 */
public final class ChannelConversion {
    private ChannelConversion() {}

    public static DecodedImage convert(DecodedImage image, ImageChannels target) {
        ImageChannels source = image.channels();
        if (source == target) return image;
        int pixels = image.width() * image.height();
        int in = source.count();
        int out = target.count();
        int[] s = image.samples();
        int[] d = new int[pixels * out];
        int opaque = image.maxValue();
        for (int p = 0; p < pixels; p++) {
            int i = p * in;
            int o = p * out;
            if (target.colorCount() == 1) {
                d[o] = source.colorCount() == 1 ? s[i] : luma(s[i], s[i + 1], s[i + 2]);
            } else if (source.colorCount() == 1) {
                d[o] = d[o + 1] = d[o + 2] = s[i];
            } else {
                d[o] = s[i];
                d[o + 1] = s[i + 1];
                d[o + 2] = s[i + 2];
            }
            if (target.hasAlpha()) d[o + out - 1] = source.hasAlpha() ? s[i + in - 1] : opaque;
        }
        return new DecodedImage(image.width(), image.height(), target, image.bitDepth(), d);
    }

    /** Pillow's {@code L24(rgb) >> 16}; exact for 16-bit samples too (long arithmetic). */
    static int luma(int r, int g, int b) {
        return (int) ((r * 19595L + g * 38470L + b * 7471L + 0x8000L) >> 16);
    }
}
