package io.convjob.pool;

import io.convjob.shape.PoolGeometry;
import io.convjob.shape.WindowMap;
import io.convjob.spec.PoolReduction;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The separable pooling passes against a direct N-d reference (every output's product window read at once, sums in
 * double), and the Vector API kernels at 128, 256 and 512 bits against the plain Java one (bit for bit: same order
 * of operations), over awkward sizes: rows shorter and longer than a vector, stride 1, 2 and 3, clipped borders,
 * empty windows, dilation, every divisor, equinox's and PyTorch's adaptive windows.
 */
class PoolKernelsTest {
    private static final int[] BITS = {128, 256, 512};

    /** Output element by element over the product window, in double. */
    static float[] reference(PoolGeometry g, float[] x, int rows) {
        int[] in = g.inShape();
        int[] out = g.outShape();
        int n = in.length;
        int inPlane = Arrays.stream(in).reduce(1, (a, b) -> a * b);
        int outPlane = Arrays.stream(out).reduce(1, (a, b) -> a * b);
        float[] y = new float[rows * outPlane];
        int[] o = new int[n];
        for (int r = 0; r < rows; r++) {
            for (int flat = 0; flat < outPlane; flat++) {
                int rest = flat;
                for (int d = n - 1; d >= 0; d--) {
                    o[d] = rest % out[d];
                    rest /= out[d];
                }
                double acc = g.reduction() == PoolReduction.MAX ? Double.NEGATIVE_INFINITY : 0;
                double divisor = 1;
                int[] j = new int[n];
                boolean empty = false;
                for (int d = 0; d < n; d++) {
                    divisor *= g.map(d).divisor(o[d]);
                    if (g.map(d).count(o[d]) == 0) empty = true;
                }
                while (!empty) {
                    int idx = 0;
                    for (int d = 0; d < n; d++) idx = idx * in[d] + g.map(d).start(o[d]) + j[d] * g.map(d).step();
                    double v = x[r * inPlane + idx];
                    acc = g.reduction() == PoolReduction.MAX ? Math.max(acc, v) : acc + v;
                    int d = n - 1;
                    while (d >= 0 && ++j[d] == g.map(d).count(o[d])) j[d--] = 0;
                    if (d < 0) break;
                }
                y[r * outPlane + flat] = (float) (g.reduction() == PoolReduction.MAX ? acc : acc / divisor);
            }
        }
        return y;
    }

    static List<PoolGeometry> geometries(Random random) {
        List<PoolGeometry> all = new ArrayList<>();
        for (PoolReduction reduction : PoolReduction.values()) {
            // the common image case and vector-edge sizes
            for (int w : new int[] {1, 7, 15, 16, 17, 31, 32, 33, 63, 64, 65, 130}) {
                for (int k = 1; k <= 4; k++) {
                    for (int s = 1; s <= 3; s++) {
                        int outW = w < k ? 0 : (w - k) / s + 1;
                        WindowMap mw = WindowMap.sliding(w, k, s, 1, 0, 0, outW, WindowMap.Divisor.KERNEL);
                        WindowMap mh = WindowMap.sliding(5, 2, 2, 1, 1, 0, 3, WindowMap.Divisor.KERNEL);
                        all.add(new PoolGeometry(reduction, new WindowMap[] {mh, mw}));
                    }
                }
            }
            for (int i = 0; i < 60; i++) {
                int n = 1 + random.nextInt(3);
                WindowMap[] maps = new WindowMap[n];
                for (int d = 0; d < n; d++) maps[d] = randomMap(random, reduction);
                all.add(new PoolGeometry(reduction, maps));
            }
        }
        return all;
    }

    private static WindowMap randomMap(Random random, PoolReduction reduction) {
        int in = 1 + random.nextInt(random.nextBoolean() ? 40 : 9);
        switch (random.nextInt(4)) {
            case 0:
                return WindowMap.equinoxAdaptive(in, 1 + random.nextInt(in));
            case 1:
                return WindowMap.torchAdaptive(in, 1 + random.nextInt(in + 2));
            default:
                int k = 1 + random.nextInt(4);
                int s = 1 + random.nextInt(3);
                int dil = reduction == PoolReduction.MAX && random.nextInt(4) == 0 ? 2 : 1;
                int lo = random.nextInt(k + 1);
                int hi = random.nextInt(k + 1);
                long span = (long) (k - 1) * dil + 1;
                WindowMap.Divisor div = reduction == PoolReduction.MAX ? WindowMap.Divisor.KERNEL
                        : WindowMap.Divisor.values()[random.nextInt(3)];
                if (div != WindowMap.Divisor.KERNEL && lo == k) lo = k - 1; // no window without elements to count
                if (div != WindowMap.Divisor.KERNEL && hi == k) hi = k - 1;
                long padded = in + lo + hi;
                int out = padded < span ? 0 : (int) ((padded - span) / s + 1);
                return WindowMap.sliding(in, k, s, dil, lo, hi, out, div);
        }
    }

    private static float[] randomInput(Random random, PoolGeometry g, int rows) {
        int plane = Arrays.stream(g.inShape()).reduce(1, (a, b) -> a * b);
        float[] x = new float[rows * plane + 3]; // a little slack: kernels must not read past their rows' windows
        for (int i = 0; i < x.length; i++) x[i] = (float) random.nextGaussian();
        return x;
    }

    @Test
    void separablePassesMatchTheDirectReference() {
        Random random = new Random(12);
        int checked = 0;
        for (PoolGeometry g : geometries(random)) {
            int rows = 3;
            float[] x = randomInput(random, g, rows);
            float[] want = reference(g, x, rows);
            float[] got = new float[want.length];
            PoolKernels.prepareScalar(g).run(x, got, rows, 1, null);
            for (int i = 0; i < want.length; i++) {
                if (g.reduction() == PoolReduction.MAX) {
                    assertEquals(want[i], got[i], 0f, g + " element " + i);
                } else {
                    assertEquals(want[i], got[i], 1e-5f * Math.max(1f, Math.abs(want[i])), g + " element " + i);
                }
            }
            checked++;
        }
        assertTrue(checked > 200);
    }

    @Test
    void vectorKernelsEqualTheScalarKernelBitForBit() {
        int preferred = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.vectorBitSize();
        Random random = new Random(34);
        List<PoolGeometry> all = geometries(random);
        for (int bits : BITS) {
            if (bits > preferred) continue;
            PoolKernel kernel = PoolKernels.forEngine("vector-" + bits);
            assertEquals("vector-" + bits, kernel.name());
            for (PoolGeometry g : all) {
                int rows = 4;
                // x sized exactly: the stride-2 path must stay inside the array at the very end
                int plane = Arrays.stream(g.inShape()).reduce(1, (a, b) -> a * b);
                float[] x = Arrays.copyOf(randomInput(random, g, rows), rows * plane);
                int outLen = rows * Arrays.stream(g.outShape()).reduce(1, (a, b) -> a * b);
                float[] want = new float[outLen];
                float[] got = new float[outLen];
                PoolKernels.prepareScalar(g).run(x, want, rows, 1, null);
                new PreparedPool(g, kernel).run(x, got, rows, 2, null);
                assertArrayEquals(want, got, bits + " bits: " + g);
            }
        }
    }

    @Test
    void reluEqualsTheActivationOnEveryKernel() {
        int preferred = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.vectorBitSize();
        Random random = new Random(56);
        List<PoolKernel> kernels = new ArrayList<>(List.of(ScalarPoolKernel.INSTANCE));
        for (int bits : BITS) if (bits <= preferred) kernels.add(PoolKernels.forEngine("vector-" + bits));
        for (int len : new int[] {0, 1, 5, 16, 17, 33, 100}) {
            float[] x = new float[len + 4];
            for (int i = 0; i < x.length; i++) x[i] = (float) random.nextGaussian();
            if (len > 3) {
                x[2] = Float.NaN;
                x[3] = -0f;
                x[4] = Float.NEGATIVE_INFINITY;
            }
            float[] want = x.clone();
            io.convjob.spec.Activation.RELU.applyInPlace(want, 2, 2 + len);
            for (PoolKernel kernel : kernels) {
                float[] got = x.clone();
                kernel.reluInPlace(got, 2, len);
                assertArrayEquals(want, got, kernel.name() + " length " + len);
            }
        }
    }

    @Test
    void defaultKernelFollowsTheConvEngine() {
        String engine = io.convjob.fast.Engines.get().name();
        PreparedPool p = PoolKernels.prepare(new PoolGeometry(PoolReduction.MAX,
                new WindowMap[] {WindowMap.equinoxAdaptive(4, 2)}));
        assertEquals(engine.startsWith("vector-") ? engine : "scalar", p.kernelName());
        assertEquals("scalar", PoolKernels.forEngine("reference").name());
    }
}
