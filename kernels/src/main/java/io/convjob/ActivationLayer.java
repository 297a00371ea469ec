package io.convjob;

import io.convjob.fast.WorkPool;
import io.convjob.pool.PoolKernels;
import io.convjob.spec.Activation;
import io.convjob.spec.ActivationSpec;

/**
 * An elementwise activation between convolutions ({@code jax.nn.relu} etc.). The batch is cut into chunks spread
 * over the threads (on one thread the activation was the largest serial part of a stack); relu runs on the
 * vector kernel the pooling passes use.
 */
public record ActivationLayer(ActivationSpec spec) implements Layer {
    /** Elements a work item: 64 KiB of floats, large enough that handing out an item costs nothing by comparison. */
    private static final int CHUNK = 16 * 1024;

    public static ActivationLayer of(Activation activation) {
        return new ActivationLayer(new ActivationSpec(activation));
    }

    @Override public int[] outputShape(int[] sampleShape) { return sampleShape.clone(); }

    @Override public void run(float[] x, int[] sampleShape, int batch, float[] y, int threads) {
        int n = Math.toIntExact(batch * Tensor.elementCount(sampleShape));
        Activation activation = spec.activation();
        WorkPool.forEach((n + CHUNK - 1) / CHUNK, threads, chunk -> {
            int from = chunk * CHUNK;
            int to = Math.min(n, from + CHUNK);
            if (x != y) System.arraycopy(x, from, y, from, to - from);
            if (activation == Activation.RELU) {
                PoolKernels.reluInPlace(y, from, to - from);
            } else {
                activation.applyInPlace(y, from, to);
            }
        });
    }
}
