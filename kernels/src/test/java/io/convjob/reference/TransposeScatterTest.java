package io.convjob.reference;

import io.convjob.ConvTranspose;
import io.convjob.Model;
import io.convjob.Tensor;
import io.convjob.spec.ModelSpec;
import io.convjob.spec.SpecParser;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Transposed convolution for any number of spatial dims (here up to 5) against an independent oracle: the
 * scatter definition {@code y[o] += x[i] * w[k]} with {@code o = i*s - p0 + d*(K-1-k)} per dim (equinox
 * convolves the stride-dilated input with the unflipped weight, hence the reversed tap index), which shares no
 * code with the gather form the kernels use.
 */
class TransposeScatterTest {

    @ParameterizedTest(name = "N={0} k={1} s={2} p=({3},{4}) op={5} d={6} g={7}")
    @CsvSource({
            "1, 3, 2, 1, 1, 1, 1, 1",
            "2, 3, 2, 0, 2, 1, 1, 2",
            "3, 2, 2, 0, 0, 0, 1, 1",
            "4, 2, 2, 0, 0, 1, 1, 1",
            "4, 3, 1, 1, 1, 0, 2, 2",
            "4, 3, 3, 2, -1, 2, 1, 1",
            "5, 2, 2, 1, 0, 0, 1, 1",
    })
    void matchesScatterDefinition(int n, int k, int s, int p0, int p1, int op, int d, int groups) {
        int cin = 2 * groups;
        int cout = 3 * groups;
        String json = String.format("{\"layer\": \"ConvTranspose\", \"num_spatial_dims\": %d, \"in_channels\": %d,"
                + " \"out_channels\": %d, \"kernel_size\": %d, \"stride\": %d, \"padding\": %s, \"output_padding\": %d,"
                + " \"dilation\": %d, \"groups\": %d, \"key\": %d}",
                n, cin, cout, k, s, pairs(n, p0, p1), op, d, groups, 17 * n + k);
        ModelSpec spec = SpecParser.parse(json);
        Model model = Model.fromSpec(spec);
        ConvTranspose layer = (ConvTranspose) model.layers().get(0);

        int[] in = new int[n];
        for (int i = 0; i < n; i++) in[i] = 3 + (i % 2);
        int[] sample = new int[n + 1];
        sample[0] = cin;
        System.arraycopy(in, 0, sample, 1, n);
        Random random = new Random(n * 1000L + k);
        float[] x = new float[Math.toIntExact(Tensor.elementCount(sample))];
        for (int i = 0; i < x.length; i++) x[i] = random.nextFloat() * 2 - 1;

        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            int padLo = d * (k - 1) - p0;
            int padHi = d * (k - 1) - p1 + op;
            out[i] = Math.max(0, (in[i] - 1) * s + 1 + padLo + padHi - d * (k - 1));
        }
        double[] expected = scatter(x, in, out, layer.weight(), layer.bias(), cin, cout, groups, k, s, p0, d);

        Tensor y = model.apply(new Tensor(sample, x));
        assertArrayEquals(prepend(cout, out), y.shape(), "output shape");
        double scale = 0;
        double err = 0;
        for (int i = 0; i < expected.length; i++) {
            scale = Math.max(scale, Math.abs(expected[i]));
            err = Math.max(err, Math.abs(expected[i] - y.data()[i]));
        }
        assertTrue(err <= 1e-5 * Math.max(scale, 1e-30), "max error " + err + " of " + scale);
    }

    private static double[] scatter(float[] x, int[] in, int[] out, float[] w, float[] bias, int cin, int cout,
                                    int groups, int k, int s, int p0, int d) {
        int n = in.length;
        int inSize = 1;
        int outSize = 1;
        int taps = 1;
        for (int i = 0; i < n; i++) {
            inSize *= in[i];
            outSize *= out[i];
            taps *= k;
        }
        int cinG = cin / groups;
        int coutG = cout / groups;
        double[] y = new double[cout * outSize];
        for (int co = 0; co < cout; co++) {
            for (int o = 0; o < outSize; o++) y[co * outSize + o] = bias[co];
        }
        int[] ic = new int[n];
        int[] kc = new int[n];
        for (int co = 0; co < cout; co++) {
            int g = co / coutG;
            for (int ci = 0; ci < cinG; ci++) {
                for (int i = 0; i < inSize; i++) {
                    unflatten(i, in, ic);
                    for (int t = 0; t < taps; t++) {
                        unflatten(t, kDims(n, k), kc);
                        int flat = 0;
                        boolean inside = true;
                        for (int dim = 0; dim < n && inside; dim++) {
                            int o = ic[dim] * s - p0 + d * (k - 1 - kc[dim]);
                            inside = o >= 0 && o < out[dim];
                            flat = flat * out[dim] + o;
                        }
                        if (!inside) continue;
                        y[co * outSize + flat] += (double) x[(g * cinG + ci) * inSize + i] * w[(co * cinG + ci) * taps + t];
                    }
                }
            }
        }
        return y;
    }

    private static int[] kDims(int n, int k) {
        int[] a = new int[n];
        java.util.Arrays.fill(a, k);
        return a;
    }

    private static void unflatten(int flat, int[] dims, int[] coords) {
        for (int i = dims.length - 1; i >= 0; i--) {
            coords[i] = flat % dims[i];
            flat /= dims[i];
        }
    }

    private static int[] prepend(int c, int[] dims) {
        int[] a = new int[dims.length + 1];
        a[0] = c;
        System.arraycopy(dims, 0, a, 1, dims.length);
        return a;
    }

    private static String pairs(int n, int lo, int hi) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < n; i++) sb.append(i == 0 ? "" : ", ").append('[').append(lo).append(", ").append(hi).append(']');
        return sb.append(']').toString();
    }
}
