package io.convjob.spec;

import java.util.Locale;

/**
 * The channels a model expects from an image, as Pillow's modes name them. Images with other channels are
 * converted as Pillow's {@code Image.convert(mode)} converts them: gray is copied to R, G and B; colour to gray is
 * ITU-R 601-2 luma ({@code (19595 R + 38470 G + 7471 B + 0x8000) >> 16}); alpha is dropped, or added as opaque.
 */
public enum ImageChannels {
    L(1, false), LA(2, true), RGB(3, false), RGBA(4, true);

    private final int count;
    private final boolean alpha;

    ImageChannels(int count, boolean alpha) {
        this.count = count;
        this.alpha = alpha;
    }

    public int count() { return count; }

    public boolean hasAlpha() { return alpha; }

    /** Colour channels without alpha: 1 or 3. */
    public int colorCount() { return alpha ? count - 1 : count; }

    /** The mode with {@code count} channels: 1 L, 2 LA, 3 RGB, 4 RGBA; null for other counts. */
    public static ImageChannels ofCount(int count) {
        for (ImageChannels c : values()) if (c.count == count) return c;
        return null;
    }

    /** The mode named {@code name} (any case), or null. */
    public static ImageChannels named(String name) {
        for (ImageChannels c : values()) if (c.name().equals(name.toUpperCase(Locale.ROOT))) return c;
        return null;
    }
}
