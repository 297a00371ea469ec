package io.convjob;

import io.convjob.engine.ConvEngine;
import io.convjob.engine.PreparedConv;
import io.convjob.fast.Engines;
import io.convjob.init.ConvParams;
import io.convjob.init.EquinoxInit;
import io.convjob.shape.ConvGeometry;
import io.convjob.shape.Shapes;
import io.convjob.spec.ConvLayerSpec;
import io.convjob.spec.Dims;
import io.convjob.spec.SpecException;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** What Conv and ConvTranspose share: spec, parameters, and one prepared kernel per input shape. */
final class ConvCore {
    private final ConvLayerSpec spec;
    private final float[] weight;
    private final float[] bias;
    private final ConvEngine engine;
    private final Map<Dims, PreparedConv> prepared = new ConcurrentHashMap<>();

    ConvCore(ConvLayerSpec spec, float[] weight, float[] bias, ConvEngine engine) {
        long expected = spec.weightCount();
        if (weight.length != expected) {
            throw new ShapeException("weight: expected " + Arrays.toString(spec.weightShape()) + " (" + expected
                    + " values), got " + weight.length + " values");
        }
        if (spec.useBias() != (bias != null)) {
            throw new ShapeException(spec.useBias() ? "bias: missing (use_bias is true)"
                    : "bias: given but use_bias is false");
        }
        if (bias != null && bias.length != spec.outChannels()) {
            throw new ShapeException("bias: expected " + spec.outChannels() + " values, got " + bias.length);
        }
        this.spec = spec;
        this.weight = weight;
        this.bias = bias;
        this.engine = engine;
    }

    /** Weights drawn from the spec's key, bit for bit as equinox draws them. */
    static ConvParams initFromKey(ConvLayerSpec spec, String path) {
        if (spec.key() == null) {
            throw new SpecException(path + "key: missing: give the layer a key or load weights from a file");
        }
        return EquinoxInit.init(spec.key(), spec.threefryPartitionable(), spec.outChannels(),
                spec.inChannels() / spec.groups(), spec.kernelSize().toArray(), spec.useBias());
    }

    ConvLayerSpec spec() { return spec; }
    float[] weight() { return weight; }
    float[] bias() { return bias; }

    int[] outputShape(int[] sampleShape) {
        int n = spec.numSpatialDims();
        if (sampleShape.length != n + 1) {
            throw new ShapeException("input: " + spec.layerName() + " needs rank " + (n + 1) + " (channels, " + n
                    + " spatial dims), got shape " + Arrays.toString(sampleShape));
        }
        if (sampleShape[0] != spec.inChannels()) {
            throw new ShapeException("input: " + spec.layerName() + " expects " + spec.inChannels()
                    + " channels, got shape " + Arrays.toString(sampleShape));
        }
        return Shapes.outputShape(spec, sampleShape);
    }

    void run(float[] x, int[] sampleShape, int batch, float[] y, int threads) {
        int[] out = outputShape(sampleShape);
        if (batch == 0 || Tensor.elementCount(out) == 0) return;
        Dims spatial = Dims.of(Arrays.copyOfRange(sampleShape, 1, sampleShape.length));
        PreparedConv conv = prepared.computeIfAbsent(spatial, s -> {
            ConvGeometry g = Shapes.lower(spec, s.toArray());
            return engine.prepare(g, weight, bias);
        });
        conv.run(x, y, batch, threads);
    }

    static ConvEngine defaultEngine() { return Engines.get(); }
}
