package io.convjob;

import io.convjob.engine.ConvEngine;
import io.convjob.init.ConvParams;
import io.convjob.spec.ConvTransposeSpec;
import io.convjob.spec.Dims;

/**
 * {@code equinox.nn.ConvTranspose}: N-dimensional transposed convolution, same arguments, defaults and
 * results. The weight is {@code (out, in / groups, *kernel)}, as in equinox.
 */
public final class ConvTranspose implements Layer {
    private final ConvCore core;

    private ConvTranspose(ConvCore core) { this.core = core; }

    public static ConvTranspose of(ConvTransposeSpec spec, float[] weight, float[] bias, ConvEngine engine) {
        return new ConvTranspose(new ConvCore(spec, weight, bias, engine));
    }

    public static ConvTranspose of(ConvTransposeSpec spec) {
        ConvParams p = ConvCore.initFromKey(spec, "");
        return of(spec, p.weight(), p.bias(), ConvCore.defaultEngine());
    }

    public static Builder builder(int numSpatialDims, int inChannels, int outChannels, int... kernelSize) {
        return new Builder(numSpatialDims, inChannels, outChannels, kernelSize);
    }

    @Override public ConvTransposeSpec spec() { return (ConvTransposeSpec) core.spec(); }
    public float[] weight() { return core.weight(); }
    public float[] bias() { return core.bias(); }

    @Override public int[] outputShape(int[] sampleShape) { return core.outputShape(sampleShape); }

    @Override public void run(float[] x, int[] sampleShape, int batch, float[] y, int threads) {
        core.run(x, sampleShape, batch, y, threads);
    }

    public static final class Builder extends ConvBuilder<Builder> {
        private Dims outputPadding;

        Builder(int n, int in, int out, int[] k) {
            super(n, in, out, k);
            outputPadding = Dims.repeat(0, n);
        }

        @Override Builder self() { return this; }

        public Builder outputPadding(int... outputPadding) {
            this.outputPadding = perDim(outputPadding, numSpatialDims);
            return this;
        }

        public ConvTranspose build() {
            ConvTransposeSpec spec = new ConvTransposeSpec(numSpatialDims, inChannels, outChannels, kernelSize,
                    stride, padding, outputPadding, dilation, groups, useBias, paddingMode, key,
                    threefryPartitionable);
            if (weight == null) return of(spec);
            return of(spec, weight, bias, ConvCore.defaultEngine());
        }
    }
}
