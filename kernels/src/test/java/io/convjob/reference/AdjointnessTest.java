package io.convjob.reference;

import io.convjob.Conv;
import io.convjob.ConvTranspose;
import io.convjob.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * equinox's ConvTranspose FAQ as a property: with the weights flipped in space and in/out swapped, ConvTranspose is
 * the linear adjoint of Conv, {@code <conv x, y> = <x, convT y>}, for the same kernel, stride, padding and
 * dilation. Checks both layers against each other without golden data.
 */
class AdjointnessTest {

    @ParameterizedTest(name = "N={0} k={1} s={2} p={3} d={4}")
    @CsvSource({"1, 3, 1, 1, 1", "1, 4, 2, 1, 1", "2, 3, 2, 1, 1", "2, 3, 1, 2, 2", "3, 2, 2, 0, 1", "2, 5, 3, 2, 1"})
    void convTransposeIsTheAdjointOfConv(int n, int k, int s, int p, int d) {
        int cin = 3;
        int cout = 2;
        // input size chosen so the strided windows tile it exactly and output_padding 0 recovers it
        int in = 2 * s + d * (k - 1) + 1 - 2 * p + s;
        int[] inShape = new int[n + 1];
        inShape[0] = cin;
        for (int i = 1; i <= n; i++) inShape[i] = in;
        Conv conv = Conv.builder(n, cin, cout, k).stride(s).padding(p).dilation(d).useBias(false).key(n + k).build();
        float[] w = conv.weight();
        int taps = (int) Math.pow(k, n);
        float[] wt = new float[w.length];
        for (int o = 0; o < cout; o++) {
            for (int c = 0; c < cin; c++) {
                for (int t = 0; t < taps; t++) wt[(c * cout + o) * taps + (taps - 1 - t)] = w[(o * cin + c) * taps + t];
            }
        }
        ConvTranspose convT = ConvTranspose.builder(n, cout, cin, k).stride(s).padding(p).dilation(d).useBias(false)
                .weights(wt, null).build();

        Random random = new Random(31L * n + k);
        Tensor x = randomTensor(inShape, random);
        int[] outShape = conv.outputShape(inShape);
        Tensor y = randomTensor(outShape, random);
        Tensor cx = conv.apply(x);
        Tensor ty = convT.apply(y);
        assertArrayEquals(inShape, ty.shape(), "ConvTranspose maps back to the input shape");
        double lhs = dot(cx.data(), y.data());
        double rhs = dot(x.data(), ty.data());
        assertEquals(lhs, rhs, 1e-4 * (Math.abs(lhs) + 1));
    }

    private static Tensor randomTensor(int[] shape, Random random) {
        float[] data = new float[Math.toIntExact(Tensor.elementCount(shape))];
        for (int i = 0; i < data.length; i++) data[i] = random.nextFloat() * 2 - 1;
        return new Tensor(shape, data);
    }

    private static double dot(float[] a, float[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) sum += (double) a[i] * b[i];
        return sum;
    }
}
