package io.convjob.spec;

import java.util.List;
import java.util.Objects;

/**
 * A whole model: one layer (a spec file holding a single layer) or a stack {@code {"layers": [...]}}.
 * {@code stack} tells which, so weight files use {@code weight} or {@code layers.{i}.weight}; {@code naming}
 * says whether they are equinox-named or a PyTorch state dict (a spec written in PyTorch's form).
 * {@code preprocess} is the optional image preprocessing (the spec's top-level {@code preprocess} key), or null.
 */
public record ModelSpec(List<LayerSpec> layers, boolean stack, WeightNaming naming, Preprocess preprocess) {
    public ModelSpec {
        layers = List.copyOf(layers);
        Objects.requireNonNull(naming, "naming");
        if (!stack && layers.size() != 1) throw new IllegalArgumentException("a single-layer spec holds one layer");
        if (naming instanceof WeightNaming.PyTorch t && t.modules().size() != layers.size()) {
            throw new IllegalArgumentException("one PyTorch module name per layer");
        }
    }

    public ModelSpec(List<LayerSpec> layers, boolean stack) { this(layers, stack, WeightNaming.EQUINOX, null); }

    /** This model with the given image preprocessing. */
    public ModelSpec withPreprocess(Preprocess p) { return new ModelSpec(layers, stack, naming, p); }

    public static ModelSpec single(LayerSpec layer) { return new ModelSpec(List.of(layer), false); }
    public static ModelSpec stack(List<LayerSpec> layers) { return new ModelSpec(layers, true); }

    /** This model with PyTorch weights looked up under {@code prefix} (e.g. {@code features.}). */
    public ModelSpec withWeightsPrefix(String prefix) {
        if (!(naming instanceof WeightNaming.PyTorch t)) {
            throw new SpecException("weights prefix: only a PyTorch spec {\"framework\": \"pytorch\", ...} takes one");
        }
        return new ModelSpec(layers, stack, new WeightNaming.PyTorch(t.modules(), prefix), preprocess);
    }

    /** The same layers, named as equinox names them (what {@code import-torch} writes). */
    public ModelSpec asEquinox() { return new ModelSpec(layers, stack, WeightNaming.EQUINOX, preprocess); }

    /** The JSON path of entry {@code index} of a stack, {@code layers[2]}: the one spelling every message uses. */
    public static String stackPath(int index) {
        return "layers[" + index + "]";
    }

    /** The prefix that leads a message about entry {@code index}: {@code layers[2].} in a stack, empty for one layer. */
    public String pathOf(int index) {
        return stack ? stackPath(index) + "." : "";
    }
}
