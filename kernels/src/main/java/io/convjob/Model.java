package io.convjob;

import io.convjob.engine.ConvEngine;
import io.convjob.init.ConvParams;
import io.convjob.spec.Activation;
import io.convjob.spec.ActivationSpec;
import io.convjob.spec.ConvLayerSpec;
import io.convjob.spec.ConvSpec;
import io.convjob.spec.ConvTransposeSpec;
import io.convjob.spec.FlattenSpec;
import io.convjob.spec.LayerSpec;
import io.convjob.spec.ModelSpec;
import io.convjob.spec.PoolLayerSpec;

import java.util.ArrayList;
import java.util.List;

/**
 * A model: one layer or a stack of layers and activations, run like {@code jax.vmap(model)(x)}.
 * Thread-safe; intermediate buffers are reused per thread across calls.
 */
public final class Model implements TensorFunction {

    /** Where a conv layer's parameters come from: its key, or a weight file. */
    @FunctionalInterface
    public interface ParamsSource {
        /**
         * @param index position in the spec's {@code layers} (0 for a single layer)
         * @param path  the JSON path prefix for messages, e.g. {@code layers[2].} or empty
         */
        ConvParams params(int index, ConvLayerSpec layer, String path);

        /** Every layer initialised from its spec's {@code key}, as equinox does. */
        static ParamsSource fromKeys() {
            return (index, layer, path) -> ConvCore.initFromKey(layer, path);
        }
    }

    /**
     * A stack runs a few samples at a time through all its layers, each thread its own samples, up to about this
     * many bytes of the largest intermediate (an L2's worth), so each layer reads its input while the layer before
     * has just left it in that core's cache. Layer by layer over a whole batch of 64 (apply's default),
     * feature-stack.json's 32-channel 64x64 map (512 KB a sample) streamed 32 MB through memory between layers:
     * 17% more CPU time per sample on one thread.
     */
    static final long GROUP_BYTES_PER_THREAD = 1 << 20;

    private final ModelSpec spec;
    private final List<Layer> layers;
    private final long groupBytesPerThread;
    private final ThreadLocal<float[][]> buffers = ThreadLocal.withInitial(() -> new float[][] {new float[0], new float[0]});
    /** A group's input and output ({@link #GROUP_BYTES_PER_THREAD}), reused per thread. */
    private final ThreadLocal<float[][]> groupBuffers = ThreadLocal.withInitial(() -> new float[][] {new float[0],
            new float[0]});

    private Model(ModelSpec spec, List<Layer> layers, long groupBytesPerThread) {
        this.spec = spec;
        this.layers = List.copyOf(layers);
        this.groupBytesPerThread = groupBytesPerThread;
    }

    /** This model with another group size (tests: small groups on small samples). */
    Model withGroupBytesPerThread(long bytes) {
        return new Model(spec, layers, bytes);
    }

    /** Weights from each layer's key. */
    public static Model fromSpec(ModelSpec spec) {
        return fromSpec(spec, ParamsSource.fromKeys(), ConvCore.defaultEngine());
    }

    public static Model fromSpec(ModelSpec spec, ParamsSource params) {
        return fromSpec(spec, params, ConvCore.defaultEngine());
    }

    public static Model fromSpec(ModelSpec spec, ParamsSource params, ConvEngine engine) {
        List<Layer> layers = new ArrayList<>();
        List<LayerSpec> specs = spec.layers();
        for (int i = 0; i < specs.size(); i++) {
            String path = spec.pathOf(i);
            LayerSpec ls = specs.get(i);
            if (ls instanceof ActivationSpec a) {
                layers.add(new ActivationLayer(a));
                continue;
            }
            if (ls instanceof PoolLayerSpec pool) {
                layers.add(PoolLayer.of(pool));
                continue;
            }
            if (ls instanceof FlattenSpec f) {
                layers.add(new Flatten(f));
                continue;
            }
            ConvLayerSpec conv = (ConvLayerSpec) ls;
            ConvParams p = params.params(i, conv, path);
            layers.add(conv instanceof ConvTransposeSpec t ? ConvTranspose.of(t, p.weight(), p.bias(), engine)
                    : Conv.of((ConvSpec) conv, p.weight(), p.bias(), engine));
        }
        return new Model(spec, layers, GROUP_BYTES_PER_THREAD);
    }

    public ModelSpec spec() { return spec; }
    public List<Layer> layers() { return layers; }

    /** Each conv layer's parameters by its index in {@code layers} (shared arrays, do not modify). */
    public java.util.Map<Integer, ConvParams> parameters() {
        java.util.Map<Integer, ConvParams> out = new java.util.LinkedHashMap<>();
        for (int i = 0; i < layers.size(); i++) {
            if (layers.get(i) instanceof Conv c) out.put(i, new ConvParams(c.weight(), c.bias()));
            if (layers.get(i) instanceof ConvTranspose t) out.put(i, new ConvParams(t.weight(), t.bias()));
        }
        return out;
    }

    /** Output {@code (channels, *spatial)} of a sample of shape {@code (channels, *spatial)}; checks the whole stack. */
    @Override
    public int[] outputShape(int[] sampleShape) {
        int[] shape = sampleShape.clone();
        for (int i = 0; i < layers.size(); i++) {
            try {
                shape = layers.get(i).outputShape(shape);
            } catch (ShapeException e) {
                throw spec.stack() ? new ShapeException(spec.pathOf(i) + e.getMessage()) : e;
            }
        }
        return shape;
    }

    /**
     * The allocation-free entry point for pipelines: {@code x} holds {@code (batch, *sampleShape)}, {@code y}
     * receives {@code (batch, *outputShape(sampleShape))}; both may be larger than needed.
     */
    @Override
    public void run(float[] x, int[] sampleShape, int batch, float[] y, int threads) {
        int perThread = samplesPerGroup(sampleShape);
        int t = Math.max(1, threads);
        if (perThread == 0 || (t == 1 ? perThread >= batch : batch < 2 * t)) {
            // no intermediate or one larger than a group's budget, one group, or too few samples to give every
            // thread whole ones: the layers spread the batch over the threads
            runLayers(x, sampleShape, batch, y, threads);
            return;
        }
        // each thread runs its own groups through the whole stack: no hand-over between layers, and every
        // intermediate stays in that core's cache; at least two groups a thread, so they end together
        int group = t == 1 ? perThread : Math.min(perThread, batch / (2 * t));
        int inElems = Math.toIntExact(Tensor.elementCount(sampleShape));
        int outElems = Math.toIntExact(Tensor.elementCount(outputShape(sampleShape)));
        io.convjob.fast.WorkPool.forEach((batch + group - 1) / group, t, g -> {
            int from = g * group;
            int n = Math.min(group, batch - from);
            float[][] io = groupBuffers.get();
            if (io[0].length < group * inElems) io[0] = new float[group * inElems];
            if (io[1].length < group * outElems) io[1] = new float[group * outElems];
            System.arraycopy(x, from * inElems, io[0], 0, n * inElems);
            runLayers(io[0], sampleShape, n, io[1], 1);
            System.arraycopy(io[1], 0, y, from * outElems, n * outElems);
        });
    }

    /**
     * Samples a thread runs through the stack together: as many as keep its largest intermediate within
     * {@link #groupBytesPerThread}, or 0 when the model has no intermediate (a single layer) or one sample's
     * exceeds it. Then nothing stays in cache between layers anyway, and each group would walk every layer's
     * weights again (a VGG-like stack on 112x112 inputs: 3% slower on one thread).
     */
    private int samplesPerGroup(int[] sampleShape) {
        if (layers.size() < 2) return 0;
        long largest = 1;
        int[] shape = sampleShape;
        for (int i = 0; i + 1 < layers.size(); i++) {
            shape = layers.get(i).outputShape(shape);
            largest = Math.max(largest, Tensor.elementCount(shape));
        }
        return (int) Math.min(Integer.MAX_VALUE, groupBytesPerThread / (Float.BYTES * largest));
    }

    /** All layers, one after another, over the whole batch. */
    private void runLayers(float[] x, int[] sampleShape, int batch, float[] y, int threads) {
        int[] shape = sampleShape;
        float[] current = x;
        float[][] pair = buffers.get();
        int next = 0;
        for (int i = 0; i < layers.size(); i++) {
            Layer layer = layers.get(i);
            // an activation before a MaxPool that commutes with it runs after the pooling, on 1/k of the values
            Activation pooledAfter = null;
            if (layer instanceof ActivationLayer a && i + 1 < layers.size() && layers.get(i + 1) instanceof PoolLayer p
                    && p.commutesWith(a.spec().activation(), shape)) {
                pooledAfter = a.spec().activation();
                layer = p;
                i++;
            }
            int[] outShape = layer.outputShape(shape);
            boolean last = i == layers.size() - 1;
            float[] target;
            if (last) {
                target = y;
            } else if (layer instanceof Flatten || layer instanceof ActivationLayer && current != x) {
                target = current; // in place on our own intermediate buffer (flatten: the same values)
            } else {
                int need = Math.toIntExact(batch * Tensor.elementCount(outShape));
                if (pair[next].length < need) pair[next] = new float[need];
                target = pair[next];
                next ^= 1;
            }
            if (pooledAfter != null) {
                ((PoolLayer) layer).run(current, shape, batch, target, threads, pooledAfter);
            } else {
                layer.run(current, shape, batch, target, threads);
            }
            current = target;
            shape = outShape;
        }
    }
}
