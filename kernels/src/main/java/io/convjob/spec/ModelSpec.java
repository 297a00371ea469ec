package io.convjob.spec;

import java.util.List;

/**
 * A whole model: one layer (a spec file holding a single layer) or a stack {@code {"layers": [...]}}.
 * {@code stack} tells which, so weight files use {@code weight} or {@code layers.{i}.weight}. {@code preprocess}
 * is the optional image preprocessing (the spec's top-level {@code preprocess} key), or null.
 */
public record ModelSpec(List<LayerSpec> layers, boolean stack, Preprocess preprocess) {
    public ModelSpec {
        layers = List.copyOf(layers);
        if (!stack && layers.size() != 1) throw new IllegalArgumentException("a single-layer spec holds one layer");
    }

    public ModelSpec(List<LayerSpec> layers, boolean stack) { this(layers, stack, null); }

    /** This model with the given image preprocessing. */
    public ModelSpec withPreprocess(Preprocess p) { return new ModelSpec(layers, stack, p); }

    public static ModelSpec single(LayerSpec layer) { return new ModelSpec(List.of(layer), false); }
    public static ModelSpec stack(List<LayerSpec> layers) { return new ModelSpec(layers, true); }

    /** The JSON path of entry {@code index} of a stack, {@code layers[2]}: the one spelling every message uses. */
    public static String stackPath(int index) {
        return "layers[" + index + "]";
    }

    /** The prefix that leads a message about entry {@code index}: {@code layers[2].} in a stack, empty for one layer. */
    public String pathOf(int index) {
        return stack ? stackPath(index) + "." : "";
    }
}
