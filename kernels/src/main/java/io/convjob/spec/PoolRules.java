package io.convjob.spec;

import java.util.Objects;

/**
 * The load-time rules for one pooling layer: what equinox 0.13.8 checks in its constructor, plus what it leaves
 * to fail at call time although no input shape is needed to see it (a tuple of the wrong length, a stride or
 * kernel size below 1, padding wider than the kernel, a target size below 1). The rules that depend on the input
 * shape ({@code use_ceil}'s extra padding, a target larger than the input) are checked with the shape, in
 * {@code io.convjob.shape.PoolShapes}.
 */
final class PoolRules {
    private PoolRules() {}

    /**
     * Checks {@code layer}, as its constructor does; the parser puts the JSON path in front ({@link SpecException#at}).
     *
     * @throws SpecException one line naming the argument and the rule
     */
    static void check(PoolLayerSpec layer) {
        Objects.requireNonNull(layer, "layer");
        int n = layer.numSpatialDims();
        if (layer instanceof AdaptivePoolSpec a) {
            Dims target = a.targetShape();
            length("target_shape", target.size(), target.toString(), n);
            for (int d = 0; d < n; d++) {
                if (target.get(d) < 1) {
                    throw new SpecException("target_shape: must be >= 1 in every dim, got " + target);
                }
            }
            return;
        }
        PoolSpec s = (PoolSpec) layer;
        length("kernel_size", s.kernelSize().size(), s.kernelSize().toString(), n);
        length("stride", s.stride().size(), s.stride().toString(), n);
        length("padding", s.padding().lo().size(), s.padding().toString(), n);
        for (int d = 0; d < n; d++) {
            if (s.kernelSize().get(d) < 1) {
                throw new SpecException("kernel_size: must be >= 1 in every dim, got " + s.kernelSize());
            }
        }
        for (int d = 0; d < n; d++) {
            if (s.stride().get(d) < 1) {
                throw new SpecException("stride: must be >= 1 in every dim, got " + s.stride());
            }
        }
        for (int d = 0; d < n; d++) {
            int k = s.kernelSize().get(d);
            if (s.padding().lo().get(d) > k || s.padding().hi().get(d) > k) {
                throw new SpecException("padding: must be <= kernel_size in every dim (equinox refuses wider"
                        + " padding when called), got " + s.padding() + " vs kernel_size " + s.kernelSize());
            }
        }
    }

    private static void length(String name, int size, String shown, int n) {
        if (size != n) {
            throw new SpecException(name + ": length of " + shown + " is " + size + ", expected " + n
                    + " (num_spatial_dims)");
        }
    }
}
