package io.convjob.init;

/**
 * equinox 0.13.8's initial weights for {@code Conv} and {@code ConvTranspose} (jax-prng.md §7): split the
 * key into (weight key, bias key), then draw both uniformly from {@code [-lim, lim)} with
 * {@code lim = 1 / sqrt(fan_in)}, fan_in = (in_channels / groups) * prod(kernel_size). Both layer types
 * store the weight as {@code (out_channels, in_channels / groups, *kernel_size)}, so one recipe serves both.
 */
public final class EquinoxInit {

    private EquinoxInit() {}

    /**
     * @param key the layer's key, as passed to equinox
     * @param partitionable JAX's {@code jax_threefry_partitionable} (true since JAX 0.5.0)
     * @param outChannels {@code out_channels}
     * @param groupedInChannels {@code in_channels / groups}
     * @param kernelSize the kernel size per spatial dim
     * @param useBias {@code use_bias}; without a bias the key is still split, as equinox does
     */
    public static ConvParams init(PrngKey key, boolean partitionable, int outChannels, int groupedInChannels,
            int[] kernelSize, boolean useBias) {
        long kernelVolume = 1;
        for (int k : kernelSize) {
            requirePositive("kernel_size", k);
            kernelVolume *= k;
        }
        requirePositive("out_channels", outChannels);
        requirePositive("in_channels / groups", groupedInChannels);
        long fanIn = groupedInChannels * kernelVolume;
        long weightCount = outChannels * fanIn;
        if (weightCount > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("weight has " + weightCount + " elements, more than a Java array holds");
        }
        PrngKey[] keys = JaxRandom.split(key, 2, partitionable);
        // lim is a Python double; JAX rounds -lim and lim to float32 (the double -lim rounds to -(float) lim).
        double lim = 1.0 / Math.sqrt((double) fanIn);
        float minval = (float) -lim;
        float maxval = (float) lim;
        float[] weight = JaxRandom.uniform(keys[0], (int) weightCount, minval, maxval, partitionable);
        float[] bias = useBias ? JaxRandom.uniform(keys[1], outChannels, minval, maxval, partitionable) : null;
        return new ConvParams(weight, bias);
    }

    private static void requirePositive(String name, int value) {
        if (value <= 0) throw new IllegalArgumentException(name + " must be > 0, got " + value);
    }
}
