package io.convjob.bench;

import io.convjob.Model;
import io.convjob.spec.SpecParser;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The per-layer profile names every layer with its output shape and flags the pooling ones. */
class LayerProfileTest {
    @Test
    void profilesEveryLayer() {
        Model model = Model.fromSpec(SpecParser.parse("""
                {"layers": [
                  {"layer": "Conv2d", "in_channels": 3, "out_channels": 4, "kernel_size": 3, "padding": 1, "key": 1},
                  {"layer": "relu"},
                  {"layer": "MaxPool2d", "kernel_size": 2, "stride": 2},
                  {"layer": "AdaptiveAvgPool2d", "target_shape": 1},
                  {"layer": "flatten"}]}"""));
        LayerProfile p = LayerProfile.measure(model, new int[] {3, 16, 16}, 2, 1, 0.02);
        assertEquals(5, p.rows().size());
        assertEquals("Conv2d", p.rows().get(0).layer());
        assertEquals("relu", p.rows().get(1).layer());
        assertEquals("MaxPool2d", p.rows().get(2).layer());
        assertArrayEquals(new int[] {4, 8, 8}, p.rows().get(2).outputShape());
        assertEquals("flatten", p.rows().get(4).layer());
        assertTrue(p.rows().get(2).pooling() && p.rows().get(3).pooling() && !p.rows().get(0).pooling());
        assertTrue(p.poolingMs() > 0 && p.poolingMs() < p.layersMs() && p.modelMs() > 0);
        assertTrue(p.toTable().contains("pooling"), p.toTable());
    }
}
