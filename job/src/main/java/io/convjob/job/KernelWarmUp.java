package io.convjob.job;

import io.convjob.Model;
import io.convjob.Tensor;
import io.convjob.job.model.SpecText;
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
public final class KernelWarmUp implements AutoCloseable {
    /** Spatial extent of the warm-up sample: small, so each call is cheap while the code is still slow. */
    static final int EXTENT = 16;
    /** Calls at most, should nothing stop it sooner. */
    static final int MAX_RUNS = 500;
    /** The input's shape is warmed up only up to this many times the small sample's size ({@link #useInputShape}). */
    static final int MAX_GROWTH = 16;
    /** Largest warm-up input or output buffer, in floats (64 MB): a warm-up call cannot be stopped. */
    static final long MAX_BUFFER_FLOATS = 1L << 24;

    private Thread started; // null: nothing to warm up
    private Model model; // null: nothing to warm up, or not known yet (startFromSpec)
    private int[] smallSample; // the sample it started with
    /** The sample the loop runs next: set at start, replaced by {@link #useInputShape} once the input is known. */
    private volatile int[] sample;
    private volatile boolean stopped;
    private volatile int runs;
    private volatile int[] lastShape; // the sample shape of the last call finished (tests)

    private KernelWarmUp() {}

    /**
     * Starts warming {@code model} up on a sample of its first conv layer's channels and {@value #EXTENT} in every
     * spatial dimension; does nothing when the model has no conv layer or refuses that shape.
     */
    public static KernelWarmUp start(Model model) {
        int[] sample = sampleShape(model);
        KernelWarmUp w = new KernelWarmUp();
        if (sample == null) return w;
        w.model = model;
        w.smallSample = sample;
        w.sample = sample;
        return w.begin(() -> w.run(model));
    }

    /**
     * {@link #start(Model)} for the model of a local spec file, read, parsed and built from its keys on the
     * background thread itself (e.g. while Spark starts in local mode, whose executors share this JVM's JIT); does
     * nothing for a spec that needs a weight file or cannot be read (the real run reports any problem).
     */
    public static KernelWarmUp startFromSpec(java.nio.file.Path specFile) {
        return startFromSpec(specFile, () -> null);
    }

    /**
     * {@link #startFromSpec(java.nio.file.Path)}, then on samples of the input's shape as {@link #useInputShape} takes
     * it, once the model is built: {@code inputShape} is asked on the background thread too (e.g. it reads the first
     * input file's schema), and may give null (unknown: the small sample goes on).
     */
    public static KernelWarmUp startFromSpec(java.nio.file.Path specFile, java.util.function.Supplier<int[]> inputShape) {
        KernelWarmUp w = new KernelWarmUp();
        return w.begin(() -> {
            try {
                Model model = Model.fromSpec(SpecText.parse(SpecText.read(specFile)));
                int[] sample = sampleShape(model);
                if (sample != null) {
                    w.smallSample = sample;
                    w.sample = sample;
                    w.model = model;
                    int[] input = shapeOrNull(inputShape);
                    if (input != null) w.useInputShape(input);
                    w.run(model);
                }
            } catch (RuntimeException | OutOfMemoryError e) {
                // no warm-up
            }
        });
    }

    private static int[] shapeOrNull(java.util.function.Supplier<int[]> inputShape) {
        try {
            return inputShape.get();
        } catch (RuntimeException e) { // the real run reports an unreadable input
            return null;
        }
    }

    /** Nothing to warm up. */
    public static KernelWarmUp none() {
        return new KernelWarmUp();
    }

    private KernelWarmUp begin(Runnable body) {
        Thread t = new Thread(body, "convjob-warm-up");
        t.setDaemon(true);
        started = t;
        t.start();
        return this;
    }

    public static int[] sampleShape(Model model) {
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

    /**
     * Warms up on samples shaped like {@code input} (channels, *spatial) from now on: the engine picks a layer's
     * kernel by its shapes (e.g. by the length of its output rows), so only the input's own row length warms up the
     * kernels the real batches will run. The other spatial dimensions are cut to {@value #EXTENT} where the model
     * allows it, to keep each call short while the code is still slow. A sample more than {@value #MAX_GROWTH} times
     * the small one's size (e.g. rows longer than 256 in 2-d) is not taken: a call of it in the slow code could run on
     * long after {@link #close}, taking a core from the real batches. Does nothing before a model is known or after
     * {@link #close}.
     *
     * @return whether the warm-up goes on with samples of the input's shape
     */
    public boolean useInputShape(int[] input) {
        Model m = model;
        int[] small = smallSample;
        if (m == null || stopped || small == null || input.length != small.length) return false;
        int[] cut = input.clone();
        for (int d = 1; d < cut.length - 1; d++) cut[d] = Math.min(cut[d], EXTENT);
        for (int[] candidate : new int[][] {cut, input.clone()}) {
            if (Tensor.elementCount(candidate) > MAX_GROWTH * Tensor.elementCount(small)) continue;
            try {
                ModelChecks.checkInputShape(m.spec(), candidate);
                sample = candidate;
                return true;
            } catch (RuntimeException e) {
                // try the next one; the real run reports a shape the model refuses
            }
        }
        return false;
    }

    private void run(Model model) {
        try {
            int[] shape = null;
            float[] x = null;
            float[] y = null;
            while (runs < MAX_RUNS && !stopped) {
                if (shape != sample) { // a new shape: new buffers
                    shape = sample;
                    long outputs = Tensor.elementCount(model.outputShape(shape));
                    // a model whose warm-up sample already needs this much (a transposed layer with a large stride)
                    // is left alone: its call could not be stopped, and the command refuses it by its resource plan
                    if (outputs > MAX_BUFFER_FLOATS || Tensor.elementCount(shape) > MAX_BUFFER_FLOATS) return;
                    x = randomSample(shape);
                    y = new float[(int) outputs];
                }
                model.run(x, shape, 1, y, 1);
                lastShape = shape;
                runs++;
            }
        } catch (RuntimeException | OutOfMemoryError e) {
            // the real run meets the same problem and reports it
        }
    }

    /** A sample of values like real data (both signs), so the compiled code sees the branches it will take. */
    private static float[] randomSample(int[] shape) {
        float[] x = new float[Math.toIntExact(Tensor.elementCount(shape))];
        long seed = 0x9E3779B97F4A7C15L;
        for (int i = 0; i < x.length; i++) {
            seed = seed * 6364136223846793005L + 1442695040888963407L;
            x[i] = (seed >>> 40) / (float) (1 << 23) - 1f;
        }
        return x;
    }

    /** Model calls finished so far. */
    int runs() {
        return runs;
    }

    /** The sample shape of the last call finished, or null before the first (tests). */
    int[] lastShape() {
        return lastShape;
    }

    /** Waits up to {@code millis} for the thread to end (tests); true if it has (or never started). */
    boolean awaitEnd(long millis) throws InterruptedException {
        if (started == null) return true;
        started.join(millis);
        return !started.isAlive();
    }

    /** Stops after the call in progress, without waiting for it (a daemon thread holding nothing of the caller's). */
    @Override
    public void close() {
        stopped = true;
    }
}
