package io.convjob;

import io.convjob.spec.LayerSpec;

import java.util.Arrays;

/** One layer of a model, callable like an equinox module: on a sample or on a batch. */
public sealed interface Layer permits Conv, ConvTranspose, ActivationLayer {

    LayerSpec spec();

    /** Output {@code (channels, *spatial)} for an input sample of shape {@code (channels, *spatial)}. */
    int[] outputShape(int[] sampleShape);

    /**
     * Runs the layer on {@code batch} samples: {@code x} holds {@code (batch, *sampleShape)} and {@code y}
     * receives {@code (batch, *outputShape(sampleShape))}, both from offset 0.
     */
    void run(float[] x, int[] sampleShape, int batch, float[] y, int threads);

    /** equinox's {@code layer(x)}: one sample {@code (channels, *spatial)}. */
    default Tensor apply(Tensor sample) {
        Tensor out = applyBatch(sample.asBatch());
        return new Tensor(Arrays.copyOfRange(out.shape(), 1, out.rank()), out.data());
    }

    /** {@code jax.vmap(layer)(x)}: a batch {@code (batch, channels, *spatial)}, on all cores. */
    default Tensor applyBatch(Tensor batch) {
        int[] shape = batch.shape();
        int[] sample = Arrays.copyOfRange(shape, 1, shape.length);
        int[] outSample = outputShape(sample);
        int[] outShape = new int[shape.length];
        outShape[0] = shape[0];
        System.arraycopy(outSample, 0, outShape, 1, outSample.length);
        float[] y = new float[Math.toIntExact(Tensor.elementCount(outShape))];
        run(batch.data(), sample, shape[0], y, Runtime.getRuntime().availableProcessors());
        return new Tensor(outShape, y);
    }
}
