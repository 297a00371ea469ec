package io.convjob.shape;

import io.convjob.spec.FlattenSpec;
import io.convjob.spec.LayerSpec;
import io.convjob.spec.PoolLayerSpec;
import io.convjob.spec.SpecException;

import java.util.Arrays;

/**
 * The shape check of {@code ModelChecks} for pooling layers and flatten: the rank equinox asserts when called,
 * and the refusals that depend on the input size ({@code use_ceil}'s extra padding above the kernel size, an
 * adaptive target larger than the input, padding cropping a dim below 0).
 */
public final class PoolChecks {
    private PoolChecks() {}

    /**
     * @param name the layer's JSON path ({@code layers[i]}, or empty for a single layer)
     * @param from where {@code shape} comes from: null for the input, else the path of the layer before
     */
    public static int[] outputShape(LayerSpec layer, int[] shape, String name, String from) {
        String p = name.isEmpty() ? "" : name + ".";
        if (layer instanceof FlattenSpec f) return PoolShapes.outputShape(f, shape);
        PoolLayerSpec pool = (PoolLayerSpec) layer;
        int n = pool.numSpatialDims();
        if (shape.length != n + 1) {
            String needs = " needs rank " + (n + 1) + " (channels, " + n + " spatial dim" + (n == 1 ? "" : "s")
                    + "), got shape " + Arrays.toString(shape);
            if (from == null) {
                String who = name.isEmpty() ? pool.layerName() : name + " (" + pool.layerName() + ")";
                throw new SpecException("input: " + who + needs);
            }
            throw new SpecException(name + ".layer: " + pool.layerName() + needs + " from " + from);
        }
        try {
            return PoolShapes.outputShape(pool, shape);
        } catch (SpecException e) {
            throw new SpecException(p + e.getMessage());
        }
    }
}
