package io.convjob;

import io.convjob.spec.ModelSpec;
import io.convjob.spec.PoolLayerSpec;
import io.convjob.spec.SpecParser;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Pooling and flatten inside models: the activation fusion is exact, flatten is a reshape, shapes chain. */
class PoolLayerTest {

    private static Tensor random(int seed, int... shape) {
        Random r = new Random(seed);
        float[] data = new float[Math.toIntExact(Tensor.elementCount(shape))];
        for (int i = 0; i < data.length; i++) data[i] = (float) r.nextGaussian();
        return new Tensor(shape, data);
    }

    /** The model's output against its layers run one by one (no fusion, no buffer reuse). */
    private static void assertSameAsLayerByLayer(String json, Tensor batch) {
        Model model = Model.fromSpec(SpecParser.parse(json));
        Tensor expected = batch;
        for (Layer layer : model.layers()) expected = layer.applyBatch(expected, 1);
        Tensor actual = model.applyBatch(batch, 2);
        assertArrayEquals(expected.shape(), actual.shape(), json);
        assertArrayEquals(expected.data(), actual.data(), json);
    }

    @Test
    void activationBeforeMaxPoolRunsAfterItWithTheSameResult() {
        for (String act : new String[] {"relu", "sigmoid", "tanh", "gelu", "silu"}) {
            assertSameAsLayerByLayer("""
                    {"layers": [
                      {"layer": "Conv2d", "in_channels": 3, "out_channels": 8, "kernel_size": 3, "padding": 1, "key": 1},
                      {"layer": "%s"},
                      {"layer": "MaxPool2d", "kernel_size": 2, "stride": 2},
                      {"layer": "%s"},
                      {"layer": "MaxPool2d", "kernel_size": 3, "stride": 1, "padding": 1},
                      {"layer": "flatten"}]}""".formatted(act, act), random(1, 2, 3, 20, 18));
        }
    }

    @Test
    void windowsWhollyInThePaddingKeepEquinoxsOrder() {
        // relu then MaxPool with padding == kernel_size: the end windows hold only padding, so equinox gives -inf
        // there (relu never sees them); pooling first would give relu(-inf) = 0
        String json = """
                {"layers": [{"layer": "relu"}, {"layer": "MaxPool1d", "kernel_size": 2, "padding": 2}]}""";
        Tensor y = Model.fromSpec(SpecParser.parse(json)).apply(new Tensor(new int[] {1, 4}, new float[] {-1, 2, -3, 4}));
        assertArrayEquals(new float[] {Float.NEGATIVE_INFINITY, 0, 2, 2, 4, 4, Float.NEGATIVE_INFINITY}, y.data());
        assertSameAsLayerByLayer(json, random(2, 3, 1, 9));
    }

    @Test
    void flattenIsTheSampleInCOrder() {
        Tensor x = random(3, 2, 3, 4, 5);
        Model m = Model.fromSpec(SpecParser.parse("{\"layers\": [{\"layer\": \"flatten\"}]}"));
        Tensor y = m.applyBatch(x);
        assertArrayEquals(new int[] {2, 60}, y.shape());
        assertArrayEquals(x.data(), y.data());
        assertSameAsLayerByLayer("""
                {"layers": [{"layer": "relu"}, {"layer": "flatten"}, {"layer": "relu"}]}""", x);
    }

    @Test
    void featureExtractorStackChainsShapes() {
        String json = """
                {"layers": [
                  {"layer": "Conv2d", "in_channels": 3, "out_channels": 4, "kernel_size": 3, "padding": 1, "key": 2},
                  {"layer": "relu"},
                  {"layer": "MaxPool2d", "kernel_size": 2, "stride": 2},
                  {"layer": "Conv2d", "in_channels": 4, "out_channels": 6, "kernel_size": 3, "padding": 1, "key": 3},
                  {"layer": "relu"},
                  {"layer": "AdaptiveAvgPool2d", "target_shape": 1},
                  {"layer": "flatten"}]}""";
        ModelSpec spec = SpecParser.parse(json);
        assertArrayEquals(new int[] {6}, Model.fromSpec(spec).outputShape(new int[] {3, 17, 12}));
        assertArrayEquals(new int[] {6}, io.convjob.shape.ModelChecks.checkInputShape(spec, new int[] {3, 17, 12}));
        assertSameAsLayerByLayer(json, random(4, 3, 3, 17, 12));
    }

    @Test
    void aLayerAfterFlattenNeedsItsRank() {
        ModelSpec spec = SpecParser.parse("""
                {"layers": [{"layer": "flatten"}, {"layer": "MaxPool1d", "kernel_size": 2}]}""");
        var e = assertThrows(io.convjob.spec.SpecException.class,
                () -> io.convjob.shape.ModelChecks.checkInputShape(spec, new int[] {2, 8}));
        assertEquals("layers[1].layer: MaxPool1d needs rank 2 (channels, 1 spatial dim), got shape [16] from layers[0]",
                e.getMessage());
    }

    @Test
    void singleLayerFromTheJavaApi() {
        PoolLayer pool = PoolLayer.of((PoolLayerSpec) SpecParser.parse(
                "{\"layer\": \"AvgPool1d\", \"kernel_size\": 3, \"stride\": 2, \"use_ceil\": true}").layers().get(0));
        float[] ones = new float[6];
        Arrays.fill(ones, 1f);
        // the README's quirk: AvgPool1d(3, stride=2, use_ceil=True) on six ones gives [1, 1, 2/3]
        Tensor y = pool.apply(new Tensor(new int[] {1, 6}, ones));
        assertArrayEquals(new float[] {1, 1, 2f / 3}, y.data(), 1e-7f);
        assertThrows(ShapeException.class, () -> pool.outputShape(new int[] {1, 6, 6}));
    }
}
