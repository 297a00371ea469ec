package io.convjob;

import io.convjob.spec.Activation;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The activation layer, chunked over threads and (for relu) vectorised, against {@link Activation#apply} element by
 * element: a batch of several chunks with a ragged end, special values included, in place and out of place.
 */
class ActivationLayerTest {

    @ParameterizedTest
    @EnumSource(Activation.class)
    void everyElementAsTheScalarDefinitionOnOneAndTwoThreads(Activation activation) {
        int[] sample = {3, 101, 67}; // 20,301 floats a sample: chunks end inside samples
        int batch = 5;
        float[] x = new float[batch * 3 * 101 * 67];
        Random random = new Random(7);
        for (int i = 0; i < x.length; i++) x[i] = (float) (random.nextGaussian() * 3);
        float[] special = {0f, -0f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MIN_VALUE,
                -Float.MIN_VALUE, Float.MAX_VALUE, -Float.MAX_VALUE};
        for (int i = 0; i < special.length; i++) {
            x[i] = special[i];
            x[x.length - 1 - i] = special[i];
            x[16 * 1024 + i] = special[i]; // across the first chunk boundary
        }
        ActivationLayer layer = ActivationLayer.of(activation);
        for (int threads : new int[] {1, 2}) {
            float[] y = new float[x.length];
            layer.run(x, sample, batch, y, threads);
            float[] inPlace = x.clone();
            layer.run(inPlace, sample, batch, inPlace, threads);
            for (int i = 0; i < x.length; i++) {
                // floatToIntBits: every NaN is one NaN (the JIT may flip a NaN's sign bit), -0 and 0 stay apart
                int want = Float.floatToIntBits(activation.apply(x[i]));
                assertEquals(want, Float.floatToIntBits(y[i]),
                        activation + " of " + x[i] + " at " + i + ", " + threads + " threads");
                assertEquals(want, Float.floatToIntBits(inPlace[i]),
                        activation + " in place of " + x[i] + " at " + i + ", " + threads + " threads");
            }
        }
    }
}
