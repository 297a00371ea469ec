package io.convjob.shape;

import io.convjob.spec.PoolSpec;
import io.convjob.spec.SpecException;
import io.convjob.spec.SpecParser;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Window maps: equinox's and PyTorch's adaptive windows, sliding windows with each divisor, the regular run. */
class WindowMapTest {

    private static int[][] windows(WindowMap m) {
        int[][] w = new int[m.outSize()][];
        for (int o = 0; o < m.outSize(); o++) w[o] = new int[] {m.start(o), m.start(o) + m.count(o)};
        return w;
    }

    @Test
    void equinoxAndTorchCutFiveIntoFourDifferently() {
        // the README's example: equinox [0:2] [2:3] [3:4] [4:5], PyTorch [0:2] [1:3] [2:4] [3:5]
        assertArrayEquals(new int[][] {{0, 2}, {2, 3}, {3, 4}, {4, 5}}, windows(WindowMap.equinoxAdaptive(5, 4)));
        assertArrayEquals(new int[][] {{0, 2}, {1, 3}, {2, 4}, {3, 5}}, windows(WindowMap.torchAdaptive(5, 4)));
        WindowMap m = WindowMap.equinoxAdaptive(23, 17); // 6 windows of 2, then 11 of 1
        assertEquals(2f, m.divisor(5));
        assertEquals(1f, m.divisor(6));
        assertEquals(23, m.start(16) + m.count(16));
    }

    @Test
    void slidingWindowsClipToTheInputWithEachDivisor() {
        // k=3, s=2, pad (1, 2) over 6 elements: windows at -1..1, 1..3, 3..5, 5..7
        WindowMap kernel = WindowMap.sliding(6, 3, 2, 1, 1, 2, 4, WindowMap.Divisor.KERNEL);
        assertArrayEquals(new int[][] {{0, 2}, {1, 4}, {3, 6}, {5, 6}}, windows(kernel));
        WindowMap inBounds = WindowMap.sliding(6, 3, 2, 1, 1, 2, 4, WindowMap.Divisor.IN_BOUNDS);
        WindowMap padded = WindowMap.sliding(6, 3, 2, 1, 1, 1, 4, WindowMap.Divisor.PADDED);
        for (int o = 0; o < 4; o++) assertEquals(3f, kernel.divisor(o));
        assertArrayEquals(new float[] {2, 3, 3, 1}, new float[] {inBounds.divisor(0), inBounds.divisor(1),
                inBounds.divisor(2), inBounds.divisor(3)});
        // padded extent [-1, 7): the last window 5..7 holds 5 and 6
        assertEquals(2f, padded.divisor(3));
        assertEquals(1, kernel.runFrom());
        assertEquals(3, kernel.runTo());
        assertEquals(2, kernel.runStride());
        assertEquals(3, kernel.runCount());
    }

    @Test
    void slidingWindowsAgreeWithTappingEveryPosition() {
        java.util.Random random = new java.util.Random(5);
        for (int trial = 0; trial < 3000; trial++) {
            int in = random.nextInt(12);
            int k = 1 + random.nextInt(5);
            int s = 1 + random.nextInt(3);
            int dil = 1 + random.nextInt(3);
            int lo = random.nextInt(2 * k + 1) - k;
            int hi = random.nextInt(2 * k + 1) - k;
            int out = random.nextInt(8);
            for (WindowMap.Divisor divisor : WindowMap.Divisor.values()) {
                WindowMap m = WindowMap.sliding(in, k, s, dil, lo, hi, out, divisor);
                for (int o = 0; o < out; o++) {
                    int first = -1;
                    int inside = 0;
                    int padded = 0;
                    for (int j = 0; j < k; j++) {
                        int pos = o * s - lo + j * dil;
                        if (pos >= 0 && pos < in && inside++ == 0) first = pos;
                        if (pos >= -lo && pos < in + hi) padded++;
                    }
                    String what = "in " + in + " k " + k + " s " + s + " d " + dil + " pad " + lo + "," + hi + " o " + o;
                    assertEquals(inside, m.count(o), what);
                    if (inside > 0) assertEquals(first, m.start(o), what);
                    float want = switch (divisor) {
                        case KERNEL -> k;
                        case IN_BOUNDS -> inside;
                        case PADDED -> padded;
                    };
                    assertEquals(want, m.divisor(o), what + " " + divisor);
                }
            }
        }
    }

    @Test
    void dilatedWindowsStepOverElements() {
        WindowMap m = WindowMap.sliding(7, 3, 1, 2, 0, 0, 3, WindowMap.Divisor.KERNEL);
        assertEquals(2, m.step());
        assertEquals(0, m.start(0));
        assertEquals(3, m.count(0));
        assertEquals(2, m.start(2));
    }

    @Test
    void windowsWhollyInThePaddingAreEmpty() {
        WindowMap m = WindowMap.sliding(4, 2, 1, 1, 2, 2, 7, WindowMap.Divisor.KERNEL);
        assertEquals(0, m.count(0));
        assertEquals(0, m.count(6));
        assertTrue(m.hasEmptyWindow());
        assertFalse(WindowMap.equinoxAdaptive(4, 2).hasEmptyWindow());
    }

    @Test
    void identityIsRecognised() {
        assertTrue(WindowMap.equinoxAdaptive(5, 5).isIdentity());
        assertTrue(WindowMap.sliding(5, 1, 1, 1, 0, 0, 5, WindowMap.Divisor.KERNEL).isIdentity());
        assertFalse(WindowMap.sliding(5, 1, 2, 1, 0, 0, 3, WindowMap.Divisor.KERNEL).isIdentity());
    }

    @Test
    void windowsOutsideTheInputAreRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> WindowMap.of(4, 1, new int[] {3}, new int[] {2}, new float[] {2}));
        assertThrows(IllegalArgumentException.class,
                () -> WindowMap.of(4, 1, new int[] {-1}, new int[] {1}, new float[] {1}));
    }

    @Test
    void useCeilAddsStrideToTheRightPaddingOnlyWhenWindowsDoNotEndThere() {
        PoolSpec p = (PoolSpec) SpecParser.parse(
                "{\"layer\": \"AvgPool1d\", \"kernel_size\": 3, \"stride\": 2, \"use_ceil\": true}").layers().get(0);
        assertArrayEquals(new int[] {1, 3}, PoolShapes.outputShape(p, new int[] {1, 6})); // (6 - 3) % 2 = 1: hi += 2
        assertArrayEquals(new int[] {1, 3}, PoolShapes.outputShape(p, new int[] {1, 7})); // (7 - 3) % 2 = 0
        PoolGeometry g = PoolShapes.lower(p, new int[] {1, 6});
        assertEquals(2, g.map(0).count(2)); // the extra window: 4, 5 and one padding element
        assertEquals(3f, g.map(0).divisor(2)); // still divided by kernel_size
    }

    @Test
    void negativePaddingCropsAndMayNotCropBelowZero() {
        PoolSpec p = (PoolSpec) SpecParser.parse(
                "{\"layer\": \"MaxPool1d\", \"kernel_size\": 2, \"padding\": [[-2, -1]]}").layers().get(0);
        assertArrayEquals(new int[] {1, 4}, PoolShapes.outputShape(p, new int[] {1, 8}));
        assertEquals(2, PoolShapes.lower(p, new int[] {1, 8}).map(0).start(0));
        SpecException e = assertThrows(SpecException.class, () -> PoolShapes.lower(p, new int[] {1, 2}));
        assertEquals("padding: [-2, -1] crops spatial dim 0 of size 2 below 0 (lax rejects negative padding larger"
                + " than the dimension)", e.getMessage());
    }
}
