package io.convjob.image;

import io.convjob.spec.ImageChannels;

/**
 * An image's samples as decoded, before any preprocessing: row-major, channels interleaved ({@code (H, W, C)}),
 * each sample an unsigned value of {@code bitDepth} bits (8 or 16), alpha last when there is one.
 */
public record DecodedImage(int width, int height, ImageChannels channels, int bitDepth, int[] samples) {
    public DecodedImage {
        if (width < 1 || height < 1) throw new IllegalArgumentException("empty image " + width + "x" + height);
        if (bitDepth != 8 && bitDepth != 16) throw new IllegalArgumentException("bit depth must be 8 or 16, got " + bitDepth);
        if (samples.length != (long) width * height * channels.count()) {
            throw new IllegalArgumentException(samples.length + " samples for " + width + "x" + height + " " + channels);
        }
    }

    /** The largest sample value: 255 or 65535. */
    public int maxValue() { return (1 << bitDepth) - 1; }

    @Override public String toString() { return "DecodedImage[" + width + "x" + height + " " + channels + " " + bitDepth + "-bit]"; }
}
