package io.convjob.spec;

import java.util.Objects;

/**
 * The load-time rules for one Conv / ConvTranspose: everything equinox 0.13.8 checks in its
 * constructor or call, plus what it leaves to fail inside lax (divisibility of channels by
 * {@code groups}, positive sizes), so a bad spec fails when it loads, not mid-job.
 *
 * <p>One deliberate difference: equinox checks {@code output_padding < stride} by comparing the whole
 * tuples lexicographically ({@code (1, 1) < (2, 1)} passes), which lets through an output_padding that
 * lax then mishandles; we compare elementwise, as equinox's own message says.
 */
public final class SpecRules {
    private SpecRules() {}

    /**
     * Checks {@code layer}; messages are one line led by {@code path} and the argument name.
     *
     * @param path the JSON path prefix: {@code ""} for a single layer, {@code "layers[2]."} (or
     *             {@code "layers[2]"}) for an entry of a stack
     * @throws SpecException naming the first rule broken: non-positive channels, kernel, stride,
     *         dilation or groups; a tuple whose length is not num_spatial_dims; channels not divisible
     *         by groups; negative padding with a non-ZEROS mode; for ConvTranspose output_padding not in
     *         {@code [0, stride)} elementwise, REFLECT / REPLICATE, or CIRCULAR without SAME padding or
     *         with output_padding
     */
    public static void check(ConvLayerSpec layer, String path) {
        Objects.requireNonNull(layer, "layer");
        String p = prefix(path);
        int n = layer.numSpatialDims();
        atLeastOne(p + "num_spatial_dims", n);
        atLeastOne(p + "in_channels", layer.inChannels());
        atLeastOne(p + "out_channels", layer.outChannels());
        atLeastOne(p + "groups", layer.groups());

        Dims kernel = present(p + "kernel_size", layer.kernelSize());
        Dims stride = present(p + "stride", layer.stride());
        Dims dilation = present(p + "dilation", layer.dilation());
        Padding padding = present(p + "padding", layer.padding());
        PaddingMode mode = present(p + "padding_mode", layer.paddingMode());
        length(p + "kernel_size", kernel, n);
        length(p + "stride", stride, n);
        if (padding instanceof Padding.Explicit e) {
            length(p + "padding", e.lo().size(), e.toString(), n);
        }
        length(p + "dilation", dilation, n);
        allAtLeastOne(p + "kernel_size", kernel);
        allAtLeastOne(p + "stride", stride);
        allAtLeastOne(p + "dilation", dilation);

        divisible(p, "in_channels", layer.inChannels(), layer.groups());
        divisible(p, "out_channels", layer.outChannels(), layer.groups());

        if (padding instanceof Padding.Explicit e && mode != PaddingMode.ZEROS && hasNegative(e)) {
            throw new SpecException(p + "padding: negative padding (cropping) needs padding_mode ZEROS, got "
                    + mode + " with " + e + " (jnp.pad rejects negative widths)");
        }
        if (layer instanceof ConvTransposeSpec t) {
            checkTranspose(t, p, n);
        }
    }

    private static void checkTranspose(ConvTransposeSpec t, String p, int n) {
        Dims outputPadding = present(p + "output_padding", t.outputPadding());
        length(p + "output_padding", outputPadding, n);
        for (int d = 0; d < n; d++) {
            if (outputPadding.get(d) < 0) {
                throw new SpecException(p + "output_padding: must be >= 0, got " + outputPadding);
            }
        }
        for (int d = 0; d < n; d++) {
            if (outputPadding.get(d) >= t.stride().get(d)) {
                throw new SpecException(p + "output_padding: must be < stride (elementwise), got "
                        + outputPadding + " vs " + t.stride());
            }
        }
        PaddingMode mode = t.paddingMode();
        if (mode == PaddingMode.REFLECT || mode == PaddingMode.REPLICATE) {
            throw new SpecException(p + "padding_mode: " + mode
                    + " is not supported by equinox for ConvTranspose (only ZEROS and CIRCULAR)");
        }
        if (mode == PaddingMode.CIRCULAR) {
            if (!(t.padding() == Padding.Named.SAME || t.padding() == Padding.Named.SAME_LOWER)) {
                throw new SpecException(p + "padding: ConvTranspose with padding_mode CIRCULAR needs padding SAME"
                        + " or SAME_LOWER (not supported by equinox otherwise), got " + t.padding());
            }
            if (!outputPadding.allEqual(0)) {
                throw new SpecException(p + "output_padding: ConvTranspose with padding_mode CIRCULAR needs"
                        + " output_padding 0 (not supported by equinox otherwise), got " + outputPadding);
            }
        }
    }

    /** {@code ""} stays empty; {@code "layers[2]"} becomes {@code "layers[2]."}. */
    static String prefix(String path) {
        if (path == null || path.isEmpty() || path.endsWith(".")) return path == null ? "" : path;
        return path + ".";
    }

    private static <T> T present(String name, T value) {
        if (value == null) throw new SpecException(name + ": missing");
        return value;
    }

    private static void atLeastOne(String name, int value) {
        if (value < 1) throw new SpecException(name + ": must be >= 1, got " + value);
    }

    private static void allAtLeastOne(String name, Dims dims) {
        for (int d = 0; d < dims.size(); d++) {
            if (dims.get(d) < 1) throw new SpecException(name + ": must be >= 1 in every dim, got " + dims);
        }
    }

    private static void length(String name, Dims dims, int n) {
        length(name, dims.size(), dims.toString(), n);
    }

    private static void length(String name, int size, String shown, int n) {
        if (size != n) {
            throw new SpecException(name + ": length of " + shown + " is " + size + ", expected " + n
                    + " (num_spatial_dims)");
        }
    }

    private static void divisible(String p, String name, int channels, int groups) {
        if (channels % groups != 0) {
            throw new SpecException(p + "groups: " + name + " (=" + channels + ") must be divisible by groups (="
                    + groups + ")");
        }
    }

    private static boolean hasNegative(Padding.Explicit e) {
        for (int d = 0; d < e.lo().size(); d++) {
            if (e.lo().get(d) < 0 || e.hi().get(d) < 0) return true;
        }
        return false;
    }
}
