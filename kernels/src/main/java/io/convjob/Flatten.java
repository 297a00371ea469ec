package io.convjob;

import io.convjob.shape.PoolShapes;
import io.convjob.spec.FlattenSpec;

/** {@code {"layer": "flatten"}}: each sample as one vector {@code (channels * prod(spatial),)}, values in C order. */
public record Flatten(FlattenSpec spec) implements Layer {

    public Flatten() { this(new FlattenSpec()); }

    @Override public int[] outputShape(int[] sampleShape) { return PoolShapes.outputShape(spec, sampleShape); }

    /** The layout is unchanged: a copy, or nothing when {@code x == y}. */
    @Override public void run(float[] x, int[] sampleShape, int batch, float[] y, int threads) {
        if (x != y) System.arraycopy(x, 0, y, 0, Math.toIntExact(batch * Tensor.elementCount(sampleShape)));
    }
}
