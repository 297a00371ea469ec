package io.convjob.cli;

import io.convjob.Model;
import io.convjob.Tensor;
import io.convjob.shape.ModelChecks;
import io.convjob.spec.ConvLayerSpec;
import io.convjob.spec.LayerSpec;
import java.util.Arrays;

/**
 * Runs the model on a small sample, again and again, on a background thread while the command still opens its
 * files, so the JIT has compiled the kernels when the first real batch arrives. Until C2 compiles them, Vector API
 * code runs as slow fallback code (an object per operation): measured, a single 3x64x64 sample through
 * feature-stack took seconds in a fresh JVM. Started on the otherwise idle core, that time overlaps the start-up
 * (Hadoop, logging, Arrow) instead of slowing the first batches. Stopped ({@link #close}) before the real work.
 */
final class KernelWarmUp implements AutoCloseable {
    /** Spatial extent of the warm-up sample: small, so each call is cheap while the code is still slow. */
    static final int EXTENT = 16;
    /** Calls at most, should nothing stop it sooner. */
    static final int MAX_RUNS = 500;

    private final Thread thread;
    private volatile boolean stopped;
    private volatile int runs;

    private KernelWarmUp(Model model, int[] sample) {
        thread = new Thread(() -> run(model, sample), "convjob-warm-up");
        thread.setDaemon(true);
    }

    /**
     * Starts warming {@code model} up on a sample of its first conv layer's channels and {@value #EXTENT} in every
     * spatial dimension; does nothing when the model has no conv layer or refuses that shape.
     */
    static KernelWarmUp start(Model model) {
        int[] sample = sampleShape(model);
        KernelWarmUp w = new KernelWarmUp(model, sample);
        if (sample == null) w.stopped = true;
        else w.thread.start();
        return w;
    }

    static int[] sampleShape(Model model) {
        for (LayerSpec layer : model.spec().layers()) {
            if (layer instanceof ConvLayerSpec conv) {
                int[] shape = new int[conv.numSpatialDims() + 1];
                Arrays.fill(shape, EXTENT);
                shape[0] = conv.inChannels();
                try {
                    ModelChecks.checkInputShape(model.spec(), shape);
                    return shape;
                } catch (RuntimeException e) {
                    return null; // e.g. a kernel larger than the sample: the real batches warm it up themselves
                }
            }
        }
        return null;
    }

    private void run(Model model, int[] sample) {
        try {
            float[] x = new float[Math.toIntExact(Tensor.elementCount(sample))];
            float[] y = new float[Math.toIntExact(Tensor.elementCount(model.outputShape(sample)))];
            // values like real data (both signs), so the compiled code sees the branches it will take
            long seed = 0x9E3779B97F4A7C15L;
            for (int i = 0; i < x.length; i++) {
                seed = seed * 6364136223846793005L + 1442695040888963407L;
                x[i] = (seed >>> 40) / (float) (1 << 23) - 1f;
            }
            while (runs < MAX_RUNS && !stopped) {
                model.run(x, sample, 1, y, 1);
                runs++;
            }
        } catch (RuntimeException | OutOfMemoryError e) {
            // the real run meets the same problem and reports it
        }
    }

    /** Model calls finished so far. */
    int runs() {
        return runs;
    }

    /** Waits up to {@code millis} for the thread to end (tests); true if it has (or never started). */
    boolean awaitEnd(long millis) throws InterruptedException {
        if (thread.getState() == Thread.State.NEW) return true;
        thread.join(millis);
        return !thread.isAlive();
    }

    /** Stops after the call in progress, without waiting for it (a daemon thread holding nothing of the caller's). */
    @Override
    public void close() {
        stopped = true;
    }
}
