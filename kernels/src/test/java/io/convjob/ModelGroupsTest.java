package io.convjob;

import io.convjob.reference.ReferenceConv;
import io.convjob.spec.SpecParser;
import java.util.Random;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A stack run a few samples at a time, each thread its own ({@link Model#GROUP_BYTES_PER_THREAD}): groups of one and
 * two samples with a ragged last group, on 1 to 3 threads, batches too small to give every thread two groups and
 * a budget below one sample (layer by layer), equal the reference loops over the whole batch; the activation that moves after a max pool, the flatten and the
 * padded strided convs run inside each group; samples after the batch in x and y are neither read nor written.
 */
class ModelGroupsTest {
    private static final String STACK = """
            {"layers": [
              {"layer": "Conv2d", "in_channels": 3, "out_channels": 8, "kernel_size": 3, "padding": 1, "key": 1},
              {"layer": "relu"},
              {"layer": "MaxPool2d", "kernel_size": 2, "stride": 2},
              {"layer": "Conv2d", "in_channels": 8, "out_channels": 16, "kernel_size": 3, "stride": 2,
               "padding": 1, "key": 2},
              {"layer": "relu"},
              {"layer": "Conv2d", "in_channels": 16, "out_channels": 4, "kernel_size": 1, "key": 3},
              {"layer": "Flatten"}
            ]}""";

    @Test
    void groupsOfSamplesMatchTheReferenceOverTheWholeBatch() {
        var spec = SpecParser.parse(STACK);
        int[] sample = {3, 19, 22};
        Model model = Model.fromSpec(spec);
        Model reference = Model.fromSpec(spec, Model.ParamsSource.fromKeys(), new ReferenceConv());
        int inElems = 3 * 19 * 22;
        int outElems = Math.toIntExact(Tensor.elementCount(model.outputShape(sample)));
        // the largest intermediate: 8 x 19 x 22 floats a sample
        long sampleBytes = 4L * 8 * 19 * 22;
        Random random = new Random(3);
        for (int batch : new int[] {3, 7, 13}) {
            float[] x = new float[(batch + 2) * inElems];
            for (int i = 0; i < x.length; i++) x[i] = (float) random.nextGaussian();
            float[] expected = new float[batch * outElems];
            reference.run(x, sample, batch, expected, 1);
            check(model, sampleBytes, x, sample, batch, expected, outElems);
        }
    }

    private static void check(Model model, long sampleBytes, float[] x, int[] sample, int batch, float[] expected,
                              int outElems) {
        // 0: one sample's intermediate exceeds the budget, the stack runs layer by layer
        for (long perThread : new long[] {0, 1, 2}) {
            Model grouped = model.withGroupBytesPerThread(perThread * sampleBytes);
            for (int threads = 1; threads <= 3; threads++) {
                float[] y = new float[(batch + 1) * outElems];
                java.util.Arrays.fill(y, 42f);
                grouped.run(x, sample, batch, y, threads);
                String what = "batch " + batch + ", " + perThread + " samples a group, " + threads + " threads";
                for (int i = 0; i < batch * outElems; i++) {
                    assertEquals(expected[i], y[i], 1e-4f * (1 + Math.abs(expected[i])), what + ": y[" + i + "]");
                }
                float[] after = java.util.Arrays.copyOfRange(y, batch * outElems, y.length);
                float[] untouched = new float[outElems];
                java.util.Arrays.fill(untouched, 42f);
                assertArrayEquals(untouched, after, what + ": past the batch");
            }
        }
    }
}
