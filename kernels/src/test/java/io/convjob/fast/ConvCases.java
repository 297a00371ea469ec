package io.convjob.fast;

import io.convjob.engine.ConvEngine;
import io.convjob.engine.PreparedConv;
import io.convjob.reference.ReferenceConv;
import io.convjob.shape.ConvGeometry;
import io.convjob.shape.Shapes;
import io.convjob.spec.ConvLayerSpec;
import io.convjob.spec.ConvSpec;
import io.convjob.spec.ConvTransposeSpec;
import io.convjob.spec.Dims;
import io.convjob.spec.Padding;
import io.convjob.spec.PaddingMode;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Random and hand-picked layers, and the comparison of an engine against {@link ReferenceConv}. */
final class ConvCases {
    private ConvCases() {}

    /** One layer applied to {@code batch} inputs of spatial shape {@code inShape} with {@code threads} threads. */
    record Case(String label, ConvLayerSpec spec, int[] inShape, int batch, int threads) {
        @Override public String toString() {
            return label + " " + spec + " in=" + Arrays.toString(inShape) + " batch=" + batch + " threads=" + threads;
        }
    }

    static ConvSpec conv(int n, int cin, int cout, int[] k, int[] s, Padding p, int[] d, int groups, boolean bias,
                         PaddingMode mode) {
        return new ConvSpec(n, cin, cout, Dims.of(k), Dims.of(s), p, Dims.of(d), groups, bias, mode, null, true);
    }

    static ConvTransposeSpec transpose(int n, int cin, int cout, int[] k, int[] s, Padding p, int[] outPad, int[] d,
                                       int groups, boolean bias, PaddingMode mode) {
        return new ConvTransposeSpec(n, cin, cout, Dims.of(k), Dims.of(s), p, Dims.of(outPad), Dims.of(d), groups, bias,
                mode, null, true);
    }

    static Padding explicit(int[] lo, int[] hi) {
        return new Padding.Explicit(Dims.of(lo), Dims.of(hi));
    }

    static Padding pad(int n, int p) {
        return Padding.Explicit.symmetric(Dims.repeat(p, n));
    }

    static int[] rep(int v, int n) {
        return Dims.repeat(v, n).toArray();
    }

    /** Layers chosen to hit each path: deep K blocks, direct tiles, depthwise, phases, crops, empties. */
    static List<Case> named() {
        List<Case> c = new ArrayList<>();
        PaddingMode z = PaddingMode.ZEROS;
        c.add(new Case("3x3 64->24 deep", conv(2, 64, 24, rep(3, 2), rep(1, 2), pad(2, 1), rep(1, 2), 1, true, z),
                new int[] {21, 23}, 2, 2));
        c.add(new Case("1x1 48->20", conv(2, 48, 20, rep(1, 2), rep(1, 2), pad(2, 0), rep(1, 2), 1, false, z),
                new int[] {13, 17}, 3, 1));
        c.add(new Case("depthwise 3x3", conv(2, 12, 12, rep(3, 2), rep(1, 2), pad(2, 1), rep(1, 2), 12, true, z),
                new int[] {9, 11}, 3, 2));
        c.add(new Case("depthwise reflect 3d stride2", conv(3, 5, 5, rep(3, 3), new int[] {1, 2, 2}, pad(3, 2),
                new int[] {1, 1, 2}, 5, false, PaddingMode.REFLECT), new int[] {4, 7, 9}, 2, 2));
        c.add(new Case("depthwise 1d cropped", conv(1, 4, 4, rep(5, 1), rep(1, 1), explicit(new int[] {-1}, new int[] {3}),
                rep(2, 1), 4, true, z), new int[] {50}, 3, 1));
        c.add(new Case("depthwise x2 stride2", conv(2, 6, 12, rep(3, 2), rep(2, 2), pad(2, 1), rep(1, 2), 6, true, z),
                new int[] {9, 10}, 1, 1));
        c.add(new Case("7x7 s2 3->16", conv(2, 3, 16, rep(7, 2), rep(2, 2), pad(2, 3), rep(1, 2), 1, true, z),
                new int[] {30, 27}, 2, 2));
        c.add(new Case("conv1d k5 d2", conv(1, 20, 19, rep(5, 1), rep(1, 1), pad(1, 4), rep(2, 1), 1, true, z),
                new int[] {301}, 3, 2));
        c.add(new Case("negative padding", conv(2, 5, 9, new int[] {3, 2}, new int[] {1, 2},
                explicit(new int[] {-2, 1}, new int[] {3, -1}), new int[] {1, 2}, 1, true, z), new int[] {12, 13}, 2, 1));
        c.add(new Case("empty output", conv(2, 4, 4, rep(5, 2), rep(1, 2), Padding.Named.VALID, rep(1, 2), 1, true, z),
                new int[] {3, 8}, 2, 2));
        c.add(new Case("reflect 3d", conv(3, 4, 10, rep(3, 3), rep(1, 3), pad(3, 2), rep(1, 3), 2, true,
                PaddingMode.REFLECT), new int[] {4, 5, 6}, 1, 2));
        c.add(new Case("circular wide pad", conv(1, 3, 5, rep(3, 1), rep(1, 1), pad(1, 5), rep(1, 1), 1, false,
                PaddingMode.CIRCULAR), new int[] {4}, 3, 1));
        c.add(new Case("replicate 4d", conv(4, 2, 9, rep(2, 4), rep(1, 4), Padding.Named.SAME, rep(1, 4), 1, true,
                PaddingMode.REPLICATE), new int[] {3, 4, 2, 5}, 2, 2));
        c.add(new Case("transpose 4x4 s2 p1", transpose(2, 24, 16, rep(4, 2), rep(2, 2), pad(2, 1), rep(0, 2),
                rep(1, 2), 1, true, z), new int[] {7, 9}, 3, 2));
        c.add(new Case("transpose 2x2x2 s2", transpose(3, 16, 8, rep(2, 3), rep(2, 3), pad(3, 0), rep(0, 3), rep(1, 3),
                1, false, z), new int[] {3, 4, 5}, 2, 2));
        c.add(new Case("transpose output_padding", transpose(2, 6, 4, rep(3, 2), new int[] {3, 2}, pad(2, 1),
                new int[] {2, 1}, rep(1, 2), 2, true, z), new int[] {5, 4}, 1, 1));
        c.add(new Case("transpose stride > kernel", transpose(1, 4, 3, rep(2, 1), rep(4, 1), pad(1, 0), rep(3, 1),
                rep(1, 1), 1, true, z), new int[] {6}, 3, 2));
        c.add(new Case("transpose circular SAME", transpose(2, 6, 5, rep(3, 2), rep(2, 2), Padding.Named.SAME,
                rep(0, 2), rep(1, 2), 1, true, PaddingMode.CIRCULAR), new int[] {5, 6}, 2, 2));
        c.add(new Case("transpose dilated", transpose(2, 4, 6, rep(3, 2), rep(2, 2), Padding.Named.SAME_LOWER,
                rep(1, 2), rep(2, 2), 2, true, z), new int[] {5, 4}, 1, 2));
        return c;
    }

    /** Random layers over 1..4 spatial dims; sizes kept small so the reference stays quick. */
    static List<Case> random(long seed, int count) {
        Random r = new Random(seed);
        List<Case> cases = new ArrayList<>();
        int[] maxSize = {0, 40, 13, 7, 5};
        while (cases.size() < count) {
            int n = 1 + r.nextInt(4);
            int groups = r.nextInt(4) == 0 ? 1 + r.nextInt(3) : 1;
            boolean depthwise = r.nextInt(6) == 0;
            int cinG = depthwise ? 1 : 1 + r.nextInt(5);
            int coutG = depthwise ? 1 + r.nextInt(2) : 1 + r.nextInt(r.nextBoolean() ? 4 : 13);
            if (depthwise) groups = 2 + r.nextInt(6);
            int cin = cinG * groups;
            int cout = coutG * groups;
            int[] in = new int[n];
            int[] k = new int[n];
            int[] s = new int[n];
            int[] d = new int[n];
            for (int i = 0; i < n; i++) {
                in[i] = 1 + r.nextInt(maxSize[n]);
                k[i] = 1 + r.nextInt(n <= 2 ? 5 : 3);
                s[i] = r.nextInt(3) == 0 ? 1 + r.nextInt(3) : 1;
                d[i] = r.nextInt(4) == 0 ? 2 : 1;
            }
            boolean bias = r.nextBoolean();
            int batch = r.nextBoolean() ? 1 : 3;
            int threads = 1 + r.nextInt(2);
            ConvLayerSpec spec;
            if (r.nextInt(3) == 0) {
                int[] op = new int[n];
                for (int i = 0; i < n; i++) op[i] = r.nextInt(s[i]);
                boolean circular = r.nextInt(4) == 0;
                Padding p;
                if (circular) {
                    Arrays.fill(op, 0); // equinox refuses CIRCULAR with output_padding, and so do our records
                    p = Padding.Named.SAME;
                } else {
                    p = switch (r.nextInt(4)) {
                        case 0 -> Padding.Named.SAME;
                        case 1 -> Padding.Named.SAME_LOWER;
                        case 2 -> Padding.Named.VALID;
                        default -> explicit(randomPads(r, n, 0, 2), randomPads(r, n, 0, 2));
                    };
                }
                spec = transpose(n, cin, cout, k, s, p, op, d, groups, bias,
                        circular ? PaddingMode.CIRCULAR : PaddingMode.ZEROS);
            } else {
                PaddingMode mode = PaddingMode.values()[r.nextInt(4)];
                Padding p = switch (r.nextInt(4)) {
                    case 0 -> Padding.Named.SAME;
                    case 1 -> Padding.Named.SAME_LOWER;
                    case 2 -> Padding.Named.VALID;
                    default -> mode == PaddingMode.ZEROS
                            ? explicit(randomPads(r, n, -2, 3), randomPads(r, n, -2, 3))
                            : explicit(randomPads(r, n, 0, 3), randomPads(r, n, 0, 3));
                };
                spec = conv(n, cin, cout, k, s, p, d, groups, bias, mode);
            }
            cases.add(new Case("random#" + cases.size() + "(seed " + seed + ")", spec, in, batch, threads));
        }
        return cases;
    }

    private static int[] randomPads(Random r, int n, int min, int max) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = min + r.nextInt(max - min + 1);
        return p;
    }

    /** Runs the case through {@code engine} and the reference; asserts agreement relative to max |y|. */
    static void assertMatchesReference(ConvEngine engine, Case c) {
        ConvGeometry g = Shapes.lower(c.spec(), c.inShape());
        Random r = new Random(Arrays.hashCode(c.inShape()) * 31L + c.spec().hashCode());
        float[] w = randomArray(r, (int) c.spec().weightCount());
        float[] bias = c.spec().useBias() ? randomArray(r, c.spec().outChannels()) : null;
        float[] x = randomArray(r, c.batch() * g.inChannels() * (int) g.inSpatialSize());
        int outLen = c.batch() * g.outChannels() * (int) g.outSpatialSize();
        float[] expected = new float[outLen];
        new ReferenceConv().prepare(g, w, bias).run(x, expected, c.batch(), 1);
        float[] actual = new float[outLen];
        Arrays.fill(actual, Float.NaN);
        PreparedConv prepared = engine.prepare(g, w, bias);
        assertEquals(g, prepared.geometry());
        prepared.run(x, actual, c.batch(), c.threads());
        float[] again = new float[outLen];
        prepared.run(x, again, c.batch(), c.threads());
        double scale = 0;
        for (float v : expected) scale = Math.max(scale, Math.abs(v));
        double tolerance = 1e-5 * Math.max(scale, 1e-3);
        for (int i = 0; i < outLen; i++) {
            double err = Math.abs(actual[i] - expected[i]);
            int index = i;
            assertTrue(err <= tolerance, () -> engine.name() + " " + c + " " + g + ": y[" + index + "] = "
                    + actual[index] + ", reference " + expected[index] + " (tolerance " + tolerance + ")");
            assertEquals(actual[i], again[i], 0.0, "second run differs at " + i);
        }
    }

    static float[] randomArray(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = r.nextFloat() * 2 - 1;
        return a;
    }
}
