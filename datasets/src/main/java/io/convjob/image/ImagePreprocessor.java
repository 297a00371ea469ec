package io.convjob.image;

import io.convjob.spec.ConvLayerSpec;
import io.convjob.spec.ImageChannels;
import io.convjob.spec.LayerSpec;
import io.convjob.spec.ModelSpec;
import io.convjob.spec.Preprocess;
import io.convjob.spec.SpecException;

import java.io.Serializable;
import java.util.Arrays;

/**
 * Turns a decoded image into the model's input tensor {@code (C, H, W)} as torchvision does for a PIL image:
 * {@code convert(channels)}, {@code Resize} (Pillow bilinear, {@link BilinearResize}), {@code CenterCrop} (offsets
 * {@code round((in - crop) / 2)} with Python's round-half-to-even; zero padding where the crop is larger),
 * {@code ToTensor} (samples times {@code scale}) and {@code Normalize} ({@code (x - mean) / std} in float32).
 */
public final class ImagePreprocessor implements Serializable {
    private static final long serialVersionUID = 1L;

    private final Preprocess preprocess;
    private final ImageChannels channels;
    private final int height;
    private final int width;
    private final float[] mean;
    private final float[] std;

    /**
     * @throws SpecException if the channels are not set, or the preprocessing does not give every image one size
     */
    public ImagePreprocessor(Preprocess preprocess) {
        this.preprocess = preprocess;
        this.channels = preprocess.channels();
        if (channels == null) throw new SpecException("preprocess.channels: not set (give \"L\", \"LA\", \"RGB\" or \"RGBA\")");
        int[] size = preprocess.fixedSize();
        if (size == null) {
            throw new SpecException("preprocess: images of different sizes need center_crop or resize [height, width] to"
                    + " give the model one input size, got " + describe(preprocess));
        }
        this.height = size[0];
        this.width = size[1];
        this.mean = perChannel(preprocess.mean(), 0, "mean");
        this.std = perChannel(preprocess.std(), 1, "std");
    }

    /**
     * A model's preprocessing: its spec's {@code preprocess} section, the channels defaulting to what the first conv
     * layer takes (1 {@code L}, 2 {@code LA}, 3 {@code RGB}, 4 {@code RGBA}).
     *
     * @throws SpecException if the spec has no usable {@code preprocess} section
     */
    public static ImagePreprocessor forModel(ModelSpec spec) {
        Preprocess preprocess = spec.preprocess();
        if (preprocess == null) {
            throw new SpecException("preprocess: missing; image input needs the spec's \"preprocess\" section, e.g."
                    + " {\"resize\": 256, \"center_crop\": 224}");
        }
        if (preprocess.channels() == null) {
            int inChannels = firstInChannels(spec);
            ImageChannels channels = ImageChannels.ofCount(inChannels);
            if (channels == null) {
                throw new SpecException("preprocess.channels: missing, and the first layer's in_channels " + inChannels
                        + " is not 1, 2, 3 or 4; give \"L\", \"LA\", \"RGB\" or \"RGBA\"");
            }
            preprocess = preprocess.withChannels(channels);
        }
        return new ImagePreprocessor(preprocess);
    }

    private static int firstInChannels(ModelSpec spec) {
        for (LayerSpec layer : spec.layers()) {
            if (layer instanceof ConvLayerSpec conv) return conv.inChannels();
        }
        throw new SpecException("preprocess.channels: missing, and the spec has no conv layer to take it from");
    }

    private static String describe(Preprocess p) {
        return p.resize() == null ? "no resize or center_crop" : "resize " + p.resize() + " without center_crop";
    }

    private float[] perChannel(double[] values, double fallback, String key) {
        float[] out = new float[channels.count()];
        if (values == null) {
            Arrays.fill(out, (float) fallback);
        } else if (values.length == 1) {
            Arrays.fill(out, (float) values[0]);
        } else if (values.length == out.length) {
            for (int i = 0; i < out.length; i++) out[i] = (float) values[i];
        } else {
            throw new SpecException("preprocess." + key + ": has " + values.length + " values, expected 1 or "
                    + out.length + " (channels " + channels + ")");
        }
        return out;
    }

    /** {@code (C, H, W)} of every tensor this gives. */
    public int[] outputShape() { return new int[] {channels.count(), height, width}; }

    public Preprocess preprocess() { return preprocess; }

    /** Decodes and preprocesses one file's bytes into {@code out[offset ..]}. */
    public void apply(byte[] bytes, String file, float[] out, int offset) {
        apply(ImageDecoder.decode(bytes, file), out, offset);
    }

    /** Preprocesses a decoded image into {@code out[offset .. offset + C*H*W)}. */
    public void apply(DecodedImage image, float[] out, int offset) {
        DecodedImage img = pixels(image);
        int c = channels.count();
        int[] s = img.samples();
        double scale = preprocess.scale() != null ? preprocess.scale() : 1.0 / img.maxValue();
        int plane = height * width;
        for (int ch = 0; ch < c; ch++) {
            float m = mean[ch];
            float d = std[ch];
            int o = offset + ch * plane;
            for (int i = 0; i < plane; i++) out[o + i] = ((float) (s[i * c + ch] * scale) - m) / d;
        }
    }

    /** The integer image after conversion, resize and crop: what torchvision hands to {@code ToTensor}. */
    public DecodedImage pixels(DecodedImage image) {
        DecodedImage img = ChannelConversion.convert(image, channels);
        if (preprocess.resize() != null) {
            int[] size = preprocess.resize().outputSize(img.height(), img.width());
            img = BilinearResize.resize(img, size[0], size[1]);
        }
        return centerCrop(img, height, width);
    }

    /** torchvision's {@code F.center_crop} on a PIL image. */
    static DecodedImage centerCrop(DecodedImage img, int cropHeight, int cropWidth) {
        if (img.height() == cropHeight && img.width() == cropWidth) return img;
        // torchvision pads (zeros) first where the crop is larger: left/top get the smaller half
        int padLeft = cropWidth > img.width() ? (cropWidth - img.width()) / 2 : 0;
        int padTop = cropHeight > img.height() ? (cropHeight - img.height()) / 2 : 0;
        int paddedWidth = Math.max(img.width(), cropWidth);
        int paddedHeight = Math.max(img.height(), cropHeight);
        int top = (int) Math.rint((paddedHeight - cropHeight) / 2.0) - padTop;
        int left = (int) Math.rint((paddedWidth - cropWidth) / 2.0) - padLeft;
        int c = img.channels().count();
        int[] s = img.samples();
        int[] d = new int[cropHeight * cropWidth * c];
        for (int y = 0; y < cropHeight; y++) {
            int sy = y + top;
            if (sy < 0 || sy >= img.height()) continue;
            for (int x = 0; x < cropWidth; x++) {
                int sx = x + left;
                if (sx < 0 || sx >= img.width()) continue;
                System.arraycopy(s, (sy * img.width() + sx) * c, d, (y * cropWidth + x) * c, c);
            }
        }
        return new DecodedImage(cropWidth, cropHeight, img.channels(), img.bitDepth(), d);
    }
}
