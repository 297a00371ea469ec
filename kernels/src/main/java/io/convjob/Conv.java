package io.convjob;

import io.convjob.engine.ConvEngine;
import io.convjob.init.ConvParams;
import io.convjob.spec.ConvSpec;

/**
 * {@code equinox.nn.Conv}: N-dimensional convolution, same arguments, defaults and results.
 * <pre>{@code
 * Conv conv = Conv.builder(2, 3, 8, 3).stride(2).padding("SAME").key(0).build();
 * Tensor y = conv.apply(x);          // x: (3, H, W)
 * }</pre>
 */
public final class Conv implements Layer {
    private final ConvCore core;

    private Conv(ConvCore core) { this.core = core; }

    /** A layer from a checked spec and its parameters (bias null when {@code use_bias} is false). */
    public static Conv of(ConvSpec spec, float[] weight, float[] bias, ConvEngine engine) {
        return new Conv(new ConvCore(spec, weight, bias, engine));
    }

    /** A layer initialised from the spec's key. */
    public static Conv of(ConvSpec spec) {
        ConvParams p = ConvCore.initFromKey(spec, "");
        return of(spec, p.weight(), p.bias(), ConvCore.defaultEngine());
    }

    /** equinox's required arguments; a single kernel size applies to every dim. */
    public static Builder builder(int numSpatialDims, int inChannels, int outChannels, int... kernelSize) {
        return new Builder(numSpatialDims, inChannels, outChannels, kernelSize);
    }

    @Override public ConvSpec spec() { return (ConvSpec) core.spec(); }
    /** {@code (out, in / groups, *kernel)}, C order; shared, do not modify. */
    public float[] weight() { return core.weight(); }
    /** {@code (out,)}, or null without bias; shared, do not modify. */
    public float[] bias() { return core.bias(); }

    @Override public int[] outputShape(int[] sampleShape) { return core.outputShape(sampleShape); }

    @Override public void run(float[] x, int[] sampleShape, int batch, float[] y, int threads) {
        core.run(x, sampleShape, batch, y, threads);
    }

    public static final class Builder extends ConvBuilder<Builder> {
        Builder(int n, int in, int out, int[] k) { super(n, in, out, k); }

        @Override Builder self() { return this; }

        public Conv build() {
            ConvSpec spec = new ConvSpec(numSpatialDims, inChannels, outChannels, kernelSize, stride, padding,
                    dilation, groups, useBias, paddingMode, key, threefryPartitionable);
            if (weight == null) return of(spec);
            return of(spec, weight, bias, ConvCore.defaultEngine());
        }
    }
}
