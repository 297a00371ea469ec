package io.convjob;

import io.convjob.spec.Activation;
import io.convjob.spec.ActivationSpec;

/** An elementwise activation between convolutions ({@code jax.nn.relu} etc.). */
public record ActivationLayer(ActivationSpec spec) implements Layer {

    public static ActivationLayer of(Activation activation) {
        return new ActivationLayer(new ActivationSpec(activation));
    }

    @Override public int[] outputShape(int[] sampleShape) { return sampleShape.clone(); }

    @Override public void run(float[] x, int[] sampleShape, int batch, float[] y, int threads) {
        int n = Math.toIntExact(batch * Tensor.elementCount(sampleShape));
        if (x != y) System.arraycopy(x, 0, y, 0, n);
        spec.activation().applyInPlace(y, 0, n);
    }
}
