package io.convjob.fast;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@link DirectKernel}'s tiles and copies at every vector size up to this CPU's, element by element. */
class DirectKernelTest {

    /**
     * Both two-vector tiles ({@link DirectKernel#tile2} and its 4-row halves) against sums in double: every count of
     * valid rows, depths of 1 to 37 with scattered B rows, C rows wider apart than the tile; rows past the valid ones
     * and columns past the tile keep what they held.
     */
    @ParameterizedTest(name = "{0} bits")
    @MethodSource("io.convjob.fast.VectorSizes#upToPreferred")
    void twoVectorTilesSumEveryValidRowAndWriteNothingElse(int bits) {
        DirectKernel kernel = VectorEngine.directKernel(bits);
        int w = 2 * kernel.lanes();
        java.util.Random r = new java.util.Random(11);
        for (int depth : new int[] {1, 2, 7, 37}) {
            float[] a = new float[3 + depth * DirectKernel.ROWS];
            for (int i = 0; i < a.length; i++) a[i] = r.nextFloat() - 0.5f;
            float[] b = new float[5 + 4 * depth + w + 64];
            for (int i = 0; i < b.length; i++) b[i] = r.nextFloat() - 0.5f;
            int[] kOff = new int[depth];
            for (int k = 0; k < depth; k++) kOff[k] = r.nextInt(4 * depth + 64);
            float[] bias = new float[2 + DirectKernel.ROWS];
            for (int i = 0; i < bias.length; i++) bias[i] = r.nextFloat();
            int ldc = w + 3;
            for (int validRows = 1; validRows <= DirectKernel.ROWS; validRows++) {
                for (boolean halves : new boolean[] {false, true}) {
                    float[] c = new float[2 + DirectKernel.ROWS * ldc];
                    java.util.Arrays.fill(c, 42f);
                    if (halves) kernel.tile2Halves(a, 3, b, 5, kOff, depth, bias, 2, c, 2, ldc, validRows);
                    else kernel.tile2(a, 3, b, 5, kOff, depth, bias, 2, c, 2, ldc, validRows);
                    for (int i = 0; i < c.length; i++) {
                        int row = (i - 2) / ldc;
                        int col = (i - 2) % ldc;
                        String where = (halves ? "halves" : "tile2") + " depth " + depth + " valid " + validRows
                                + ": c[" + i + "]";
                        if (i < 2 || row >= validRows || col >= w) {
                            assertEquals(42f, c[i], where);
                            continue;
                        }
                        double sum = bias[2 + row];
                        for (int k = 0; k < depth; k++) sum += (double) a[3 + k * DirectKernel.ROWS + row] * b[5 + kOff[k] + col];
                        assertEquals(sum, c[i], 1e-5, where);
                    }
                }
            }
        }
    }

    /**
     * Every pair of run lengths up to three vectors (equal, one apart as on odd widths, far apart, below half a vector,
     * empty), at odd and even offsets: each run holds its parity of the source and nothing else is written, even
     * where the other run is shorter or the source ends right after the runs.
     */
    @ParameterizedTest(name = "{0} bits")
    @MethodSource("io.convjob.fast.VectorSizes#upToPreferred")
    void splitEvenOddWritesBothParitiesAndNothingElse(int bits) {
        DirectKernel kernel = VectorEngine.directKernel(bits);
        int max = 3 * kernel.lanes() + 1;
        for (int evenLen = 0; evenLen <= max; evenLen++) {
            for (int oddLen = Math.max(0, evenLen - 2); oddLen <= max; oddLen += oddLen < evenLen + 2 ? 1 : 5) {
                for (int srcOff : new int[] {0, 3}) {
                    int srcEnd = srcOff + Math.max(2 * evenLen - 1, 2 * oddLen);
                    float[] src = new float[srcEnd];
                    for (int i = 0; i < src.length; i++) src[i] = i + 0.5f;
                    int evenOff = 5;
                    int oddOff = evenOff + evenLen + 7;
                    float[] dst = new float[oddOff + oddLen + 9];
                    java.util.Arrays.fill(dst, -1f);
                    kernel.splitEvenOdd(src, srcOff, dst, evenOff, evenLen, oddOff, oddLen);
                    for (int i = 0; i < dst.length; i++) {
                        float expected = -1f;
                        if (i >= evenOff && i < evenOff + evenLen) expected = src[srcOff + 2 * (i - evenOff)];
                        if (i >= oddOff && i < oddOff + oddLen) expected = src[srcOff + 1 + 2 * (i - oddOff)];
                        assertEquals(expected, dst[i], "lengths " + evenLen + "/" + oddLen + " from " + srcOff
                                + ": dst[" + i + "]");
                    }
                }
            }
        }
    }

    /** Every length up to three vectors at odd offsets: pairs in order, nothing before or after them written. */
    @ParameterizedTest(name = "{0} bits")
    @MethodSource("io.convjob.fast.VectorSizes#upToPreferred")
    void interleaveWritesPairsAndNothingElse(int bits) {
        DirectKernel kernel = VectorEngine.directKernel(bits);
        for (int len = 0; len <= 3 * kernel.lanes() + 1; len++) {
            float[] even = new float[len + 3];
            float[] odd = new float[len + 1];
            for (int i = 0; i < even.length; i++) even[i] = i + 0.25f;
            for (int i = 0; i < odd.length; i++) odd[i] = -i - 0.75f;
            float[] dst = new float[2 * len + 12];
            java.util.Arrays.fill(dst, 99f);
            kernel.interleave(even, 3, odd, 1, dst, 5, len);
            for (int i = 0; i < dst.length; i++) {
                int k = i - 5;
                float expected = k < 0 || k >= 2 * len ? 99f : k % 2 == 0 ? even[3 + k / 2] : odd[1 + k / 2];
                assertEquals(expected, dst[i], "length " + len + ": dst[" + i + "]");
            }
        }
    }
}
