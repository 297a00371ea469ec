package io.convjob;

import java.util.Arrays;

/**
 * Something callable like an equinox module on {@code (channels, *spatial)} samples: a layer or a whole model.
 * Implementations give the shape rule and the allocation-free batch call; the tensor conveniences come from here.
 */
public interface TensorFunction {

    /** Output {@code (channels, *spatial)} for an input sample of shape {@code (channels, *spatial)}. */
    int[] outputShape(int[] sampleShape);

    /**
     * Runs {@code batch} samples: {@code x} holds {@code (batch, *sampleShape)} and {@code y} receives
     * {@code (batch, *outputShape(sampleShape))}, both from offset 0 (either may be longer).
     */
    void run(float[] x, int[] sampleShape, int batch, float[] y, int threads);

    /** equinox's {@code f(x)}: one sample {@code (channels, *spatial)}. */
    default Tensor apply(Tensor sample) {
        Tensor out = applyBatch(sample.asBatch());
        return new Tensor(Arrays.copyOfRange(out.shape(), 1, out.rank()), out.data());
    }

    /** {@code jax.vmap(f)(x)}: a batch {@code (batch, channels, *spatial)}, on all cores. */
    default Tensor applyBatch(Tensor batch) {
        return applyBatch(batch, Runtime.getRuntime().availableProcessors());
    }

    default Tensor applyBatch(Tensor batch, int threads) {
        int[] shape = batch.shape();
        int[] sample = Arrays.copyOfRange(shape, 1, shape.length);
        int[] outSample = outputShape(sample);
        int[] outShape = new int[outSample.length + 1]; // flatten changes the rank
        outShape[0] = shape[0];
        System.arraycopy(outSample, 0, outShape, 1, outSample.length);
        float[] y = new float[Math.toIntExact(Tensor.elementCount(outShape))];
        run(batch.data(), sample, shape[0], y, threads);
        return new Tensor(outShape, y);
    }
}
