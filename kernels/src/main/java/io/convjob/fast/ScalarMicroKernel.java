package io.convjob.fast;

/** Plain-Java micro-kernel: C rows are updated in place, the inner loop runs over contiguous positions. */
final class ScalarMicroKernel implements MicroKernel {
    static final int ROWS = 4;
    static final int WIDTH = 16;

    @Override public int rows() { return ROWS; }
    @Override public int width() { return WIDTH; }

    @Override public void run(float[] a, int aOff, float[] b, int bOff, int kc, float[] c, int cOff, int ldc,
                              int validRows, float[] bias, int biasOff, boolean init) {
        for (int r = 0; r < validRows; r++) {
            int row = cOff + r * ldc;
            if (init) java.util.Arrays.fill(c, row, row + WIDTH, bias == null ? 0f : bias[biasOff + r]);
            for (int k = 0; k < kc; k++) {
                float w = a[aOff + k * ROWS + r];
                int bk = bOff + k * WIDTH;
                for (int j = 0; j < WIDTH; j++) c[row + j] += w * b[bk + j];
            }
        }
    }
}
