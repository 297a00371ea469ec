package io.convjob.spec;

import java.util.Arrays;

/**
 * The spec's {@code preprocess} section: how an image becomes the model's input tensor, with torchvision's
 * conventions ({@code Resize}, {@code CenterCrop}, {@code ToTensor}, {@code Normalize} on a PIL image). Applied in
 * this order: convert to {@link #channels}, resize, center crop, multiply by {@link #scale}, subtract {@link #mean}
 * and divide by {@link #std} per channel.
 *
 * @param resize     null (no resize), or the size to resize to; see {@link Resize}
 * @param centerCrop null (no crop), or {@code [height, width]} (torchvision pads with zeros where it is larger)
 * @param channels   the channels to convert to, or null for the model's first layer's {@code in_channels}
 * @param scale      the factor on the raw samples (0..255, or 0..65535 for 16-bit images), or null for
 *                   {@code 1 / max} of the image's bit depth (1/255 for 8-bit: ToTensor's [0, 1])
 * @param mean       per-channel mean subtracted after scaling, or null (0)
 * @param std        per-channel divisor after the mean, or null (1)
 */
public record Preprocess(Resize resize, int[] centerCrop, ImageChannels channels, Double scale, double[] mean,
        double[] std) implements java.io.Serializable {

    /** The resampling filter: Pillow's {@code Image.Resampling.BILINEAR}, torchvision's default for PIL images. */
    public static final String FILTER = "bilinear";

    /**
     * torchvision's {@code Resize(size)}: {@code shorter} resizes the shorter side to that length and the longer
     * side to {@code int(shorter * long / short)}, keeping the aspect ratio; {@code [height, width]} is exact.
     */
    public record Resize(int shorter, int height, int width) implements java.io.Serializable {
        public static Resize shorterSide(int size) { return new Resize(size, 0, 0); }
        public static Resize exact(int height, int width) { return new Resize(0, height, width); }
        public boolean isExact() { return shorter == 0; }

        /** The output {@code [height, width]} for an input image of that size, as torchvision computes it. */
        public int[] outputSize(int inHeight, int inWidth) {
            if (isExact()) return new int[] {height, width};
            boolean portrait = inWidth <= inHeight;
            int shortSide = portrait ? inWidth : inHeight;
            int longSide = portrait ? inHeight : inWidth;
            int newLong = (int) ((double) ((long) shorter * longSide) / shortSide);
            return portrait ? new int[] {newLong, shorter} : new int[] {shorter, newLong};
        }

        @Override public String toString() { return isExact() ? "[" + height + ", " + width + "]" : "" + shorter; }
    }

    public Preprocess {
        centerCrop = centerCrop == null ? null : centerCrop.clone();
        mean = mean == null ? null : mean.clone();
        std = std == null ? null : std.clone();
    }

    @Override public int[] centerCrop() { return centerCrop == null ? null : centerCrop.clone(); }
    @Override public double[] mean() { return mean == null ? null : mean.clone(); }
    @Override public double[] std() { return std == null ? null : std.clone(); }

    /** This section with {@code channels} set (used when the spec leaves it to the model). */
    public Preprocess withChannels(ImageChannels c) {
        return new Preprocess(resize, centerCrop, c, scale, mean, std);
    }

    /** {@code [height, width]} of every preprocessed image, or null when it depends on the image's own size. */
    public int[] fixedSize() {
        if (centerCrop != null) return centerCrop.clone();
        if (resize != null && resize.isExact()) return new int[] {resize.height(), resize.width()};
        return null;
    }

    @Override public boolean equals(Object o) {
        return o instanceof Preprocess p && java.util.Objects.equals(resize, p.resize) && Arrays.equals(centerCrop, p.centerCrop)
                && channels == p.channels && java.util.Objects.equals(scale, p.scale) && Arrays.equals(mean, p.mean)
                && Arrays.equals(std, p.std);
    }

    @Override public int hashCode() {
        return java.util.Objects.hash(resize, Arrays.hashCode(centerCrop), channels, scale, Arrays.hashCode(mean), Arrays.hashCode(std));
    }

    @Override public String toString() {
        return "Preprocess[resize=" + resize + ", center_crop=" + Arrays.toString(centerCrop) + ", channels=" + channels
                + ", scale=" + scale + ", mean=" + Arrays.toString(mean) + ", std=" + Arrays.toString(std) + "]";
    }
}
