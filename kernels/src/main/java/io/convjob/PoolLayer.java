package io.convjob;

import io.convjob.pool.PoolKernels;
import io.convjob.pool.PreparedPool;
import io.convjob.shape.PoolGeometry;
import io.convjob.shape.PoolShapes;
import io.convjob.spec.Activation;
import io.convjob.spec.LayerSpec;
import io.convjob.spec.PoolLayerSpec;
import io.convjob.spec.SpecException;

import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * A pooling layer: equinox's {@code MaxPool}, {@code AvgPool}, {@code AdaptiveMaxPool}, {@code AdaptiveAvgPool}
 * (1d..3d), or any pooling described by window maps (see {@link #of(LayerSpec, int, Function)}). Channels pass
 * through; one prepared plan per input shape.
 * <pre>{@code
 * PoolLayer pool = PoolLayer.of((PoolLayerSpec) SpecParser.parse("{\"layer\": \"MaxPool2d\", \"kernel_size\": 2, \"stride\": 2}").layers().get(0));
 * Tensor y = pool.apply(x);          // x: (C, H, W) -> (C, H / 2, W / 2)
 * }</pre>
 */
public final class PoolLayer implements Layer {
    private final LayerSpec spec;
    private final int numSpatialDims;
    private final Function<int[], PoolGeometry> planner;
    private final Map<String, PreparedPool> prepared = new ConcurrentHashMap<>();

    private PoolLayer(LayerSpec spec, int numSpatialDims, Function<int[], PoolGeometry> planner) {
        this.spec = Objects.requireNonNull(spec, "spec");
        this.numSpatialDims = numSpatialDims;
        this.planner = Objects.requireNonNull(planner, "planner");
    }

    /** equinox's pooling for a spec (valid by construction: the record checked itself). */
    public static PoolLayer of(PoolLayerSpec spec) {
        return new PoolLayer(spec, spec.numSpatialDims(), sample -> PoolShapes.lower(spec, sample));
    }

    /**
     * Pooling with other window semantics (e.g. PyTorch's) on the same kernels.
     *
     * @param planner from a sample shape {@code (channels, *spatial)} to the windows; throws {@link SpecException}
     *                naming the argument for shapes the layer refuses
     */
    public static PoolLayer of(LayerSpec spec, int numSpatialDims, Function<int[], PoolGeometry> planner) {
        return new PoolLayer(spec, numSpatialDims, planner);
    }

    @Override public LayerSpec spec() { return spec; }

    /** The windows for a sample shape {@code (channels, *spatial)}. */
    public PoolGeometry geometry(int[] sampleShape) {
        return prepare(sampleShape).geometry();
    }

    @Override public int[] outputShape(int[] sampleShape) {
        int[] out = prepare(sampleShape).geometry().outShape();
        int[] shape = new int[out.length + 1];
        shape[0] = sampleShape[0];
        System.arraycopy(out, 0, shape, 1, out.length);
        return shape;
    }

    @Override public void run(float[] x, int[] sampleShape, int batch, float[] y, int threads) {
        run(x, sampleShape, batch, y, threads, null);
    }

    /** As {@link #run}, with {@code after} applied to the output (see {@link #commutesWith}). */
    void run(float[] x, int[] sampleShape, int batch, float[] y, int threads, Activation after) {
        PreparedPool pool = prepare(sampleShape);
        pool.run(x, y, Math.multiplyExact(batch, sampleShape[0]), threads, after);
    }

    /** Whether {@code pool(act(x)) == act(pool(x))} for inputs of this shape, so the model may pool first. */
    boolean commutesWith(Activation activation, int[] sampleShape) {
        return prepare(sampleShape).commutesWith(activation);
    }

    private PreparedPool prepare(int[] sampleShape) {
        String key = Arrays.toString(sampleShape);
        PreparedPool p = prepared.get(key);
        if (p != null) return p;
        if (sampleShape.length != numSpatialDims + 1) {
            String name = spec instanceof PoolLayerSpec s ? s.layerName() : "pooling";
            throw new ShapeException("input: " + name + " needs rank " + (numSpatialDims + 1) + " (channels, "
                    + numSpatialDims + " spatial dim" + (numSpatialDims == 1 ? "" : "s") + "), got shape " + Arrays.toString(sampleShape));
        }
        PoolGeometry g;
        try {
            g = planner.apply(sampleShape.clone());
        } catch (SpecException e) {
            throw new ShapeException(e.getMessage());
        }
        p = PoolKernels.prepare(g);
        prepared.putIfAbsent(key, p);
        return p;
    }
}
