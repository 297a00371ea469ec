package io.convjob.image;

/**
 * Pillow's {@code Image.resize(size, Image.Resampling.BILINEAR)} (libImaging/Resample.c), which torchvision's
 * {@code Resize} calls on PIL images: a separable triangle filter whose support grows with the scale when
 * downscaling (antialiased), horizontal pass first, then vertical. 8-bit images reproduce Pillow bit for bit: the
 * coefficients in 22-bit fixed point, the intermediate rounded and clipped to 8 bits. 16-bit images use Pillow's
 * 16-bit path (double coefficients, round half up, clip to 0..65535). Images with alpha are resized premultiplied,
 * as Pillow does for {@code LA} and {@code RGBA} (its {@code La}/{@code RGBa} round trip).
 */
public final class BilinearResize {
    private BilinearResize() {}

    private static final int PRECISION_BITS = 32 - 8 - 2;

    /** Returns the image resized to {@code width x height}; the image itself when the size is unchanged. */
    public static DecodedImage resize(DecodedImage image, int height, int width) {
        if (width == image.width() && height == image.height()) return image;
        int c = image.channels().count();
        boolean alpha = image.channels().hasAlpha();
        boolean eight = image.bitDepth() == 8;
        int[] samples = alpha ? premultiply(image.samples(), c, image.maxValue()) : image.samples();

        Coefficients vertical = Coefficients.of(image.height(), height);
        int firstRow = vertical.start[0];
        int lastRow = vertical.start[height - 1] + vertical.count[height - 1];
        int inWidth = image.width();
        int rows = image.height();
        int rowOffset = 0;
        if (width != image.width()) {
            Coefficients horizontal = Coefficients.of(image.width(), width);
            rows = lastRow - firstRow;
            int[] tmp = new int[rows * width * c];
            for (int y = 0; y < rows; y++) {
                int inRow = (y + firstRow) * inWidth * c;
                int outRow = y * width * c;
                for (int x = 0; x < width; x++) {
                    int xmin = horizontal.start[x];
                    int n = horizontal.count[x];
                    for (int ch = 0; ch < c; ch++) {
                        int at = inRow + xmin * c + ch;
                        tmp[outRow + x * c + ch] = eight ? sum8(samples, at, c, horizontal.fixed, x * horizontal.size, n)
                                : sum16(samples, at, c, horizontal.weights, x * horizontal.size, n);
                    }
                }
            }
            samples = tmp;
            inWidth = width;
            rowOffset = firstRow; // the vertical bounds are relative to the first row kept
        }
        if (height != image.height()) {
            int stride = inWidth * c;
            int[] out = new int[height * stride];
            for (int y = 0; y < height; y++) {
                int ymin = vertical.start[y] - rowOffset;
                int n = vertical.count[y];
                for (int i = 0; i < stride; i++) {
                    int at = ymin * stride + i;
                    out[y * stride + i] = eight ? sum8(samples, at, stride, vertical.fixed, y * vertical.size, n)
                            : sum16(samples, at, stride, vertical.weights, y * vertical.size, n);
                }
            }
            samples = out;
        }
        if (alpha) samples = unpremultiply(samples, c, image.maxValue());
        return new DecodedImage(width, height, image.channels(), image.bitDepth(), samples);
    }

    private static int sum8(int[] s, int at, int step, int[] k, int k0, int n) {
        int ss = 1 << (PRECISION_BITS - 1);
        for (int j = 0; j < n; j++) ss += s[at + j * step] * k[k0 + j];
        int v = ss >> PRECISION_BITS;
        return v < 0 ? 0 : Math.min(v, 255);
    }

    private static int sum16(int[] s, int at, int step, double[] k, int k0, int n) {
        double ss = 0.0;
        for (int j = 0; j < n; j++) ss += s[at + j * step] * k[k0 + j];
        int v = (int) (ss >= 0.0 ? ss + 0.5 : ss - 0.5);
        return v < 0 ? 0 : Math.min(v, 65535);
    }

    /** Pillow's RGBA to RGBa: {@code MULDIV255(v, alpha)} on each colour sample (the same rule at 16 bits). */
    private static int[] premultiply(int[] s, int c, int max) {
        int[] d = s.clone();
        for (int p = 0; p < d.length; p += c) {
            int a = s[p + c - 1];
            for (int ch = 0; ch < c - 1; ch++) {
                if (max == 255) {
                    int tmp = s[p + ch] * a + 128;
                    d[p + ch] = ((tmp >> 8) + tmp) >> 8;
                } else {
                    d[p + ch] = (int) ((s[p + ch] * (long) a + max / 2) / max);
                }
            }
        }
        return d;
    }

    /** Pillow's RGBa to RGBA: {@code CLIP8(255 * v / alpha)} unless alpha is 0 or opaque. */
    private static int[] unpremultiply(int[] s, int c, int max) {
        for (int p = 0; p < s.length; p += c) {
            int a = s[p + c - 1];
            if (a == max || a == 0) continue;
            for (int ch = 0; ch < c - 1; ch++) s[p + ch] = (int) Math.min(max, (long) max * s[p + ch] / a);
        }
        return s;
    }

    /** Pillow's {@code precompute_coeffs} for the bilinear filter, and their 22-bit fixed-point form. */
    static final class Coefficients {
        final int size;
        final int[] start;
        final int[] count;
        final double[] weights;
        final int[] fixed;

        private Coefficients(int size, int[] start, int[] count, double[] weights) {
            this.size = size;
            this.start = start;
            this.count = count;
            this.weights = weights;
            this.fixed = new int[weights.length];
            for (int i = 0; i < weights.length; i++) {
                double scaled = weights[i] * (1 << PRECISION_BITS);
                fixed[i] = (int) (weights[i] < 0 ? -0.5 + scaled : 0.5 + scaled);
            }
        }

        static Coefficients of(int inSize, int outSize) {
            double scale = (double) inSize / outSize;
            double filterScale = Math.max(scale, 1.0);
            double support = filterScale; // the bilinear filter's support is 1
            int size = (int) Math.ceil(support) * 2 + 1;
            int[] start = new int[outSize];
            int[] count = new int[outSize];
            double[] k = new double[outSize * size];
            double inverse = 1.0 / filterScale;
            for (int xx = 0; xx < outSize; xx++) {
                double center = (xx + 0.5) * scale;
                int xmin = Math.max(0, (int) (center - support + 0.5));
                int xmax = Math.min(inSize, (int) (center + support + 0.5)) - xmin;
                double ww = 0.0;
                for (int x = 0; x < xmax; x++) {
                    double w = triangle((x + xmin - center + 0.5) * inverse);
                    k[xx * size + x] = w;
                    ww += w;
                }
                if (ww != 0.0) for (int x = 0; x < xmax; x++) k[xx * size + x] /= ww;
                start[xx] = xmin;
                count[xx] = xmax;
            }
            return new Coefficients(size, start, count, k);
        }

        private static double triangle(double x) {
            x = Math.abs(x);
            return x < 1.0 ? 1.0 - x : 0.0;
        }
    }
}
