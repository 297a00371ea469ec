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
final class SpecRules {
    private SpecRules() {}

    /**
     * Checks {@code layer}, as its constructor does; messages are one line led by the argument name (the parser
     * puts the JSON path in front, see {@link SpecException#at}).
     *
     * @throws SpecException naming the first rule broken: non-positive channels, kernel, stride,
     *         dilation or groups; a tuple whose length is not num_spatial_dims; channels not divisible
     *         by groups; negative padding with a non-ZEROS mode; for ConvTranspose output_padding not in
     *         {@code [0, stride)} elementwise, REFLECT / REPLICATE, or CIRCULAR without SAME padding or
     *         with output_padding
     */
    static void check(ConvLayerSpec layer) {
        Objects.requireNonNull(layer, "layer");
        int n = layer.numSpatialDims();
        atLeastOne("num_spatial_dims", n);
        atLeastOne("in_channels", layer.inChannels());
        atLeastOne("out_channels", layer.outChannels());
        atLeastOne("groups", layer.groups());

        Dims kernel = present("kernel_size", layer.kernelSize());
        Dims stride = present("stride", layer.stride());
        Dims dilation = present("dilation", layer.dilation());
        Padding padding = present("padding", layer.padding());
        PaddingMode mode = present("padding_mode", layer.paddingMode());
        length("kernel_size", kernel, n);
        length("stride", stride, n);
        if (padding instanceof Padding.Explicit e) {
            length("padding", e.lo().size(), e.toString(), n);
        }
        length("dilation", dilation, n);
        allAtLeastOne("kernel_size", kernel);
        allAtLeastOne("stride", stride);
        allAtLeastOne("dilation", dilation);

        divisible("in_channels", layer.inChannels(), layer.groups());
        divisible("out_channels", layer.outChannels(), layer.groups());

        if (padding instanceof Padding.Explicit e && mode != PaddingMode.ZEROS && hasNegative(e)) {
            throw new SpecException("padding: negative padding (cropping) needs padding_mode ZEROS, got "
                    + mode + " with " + e + " (jnp.pad rejects negative widths)");
        }
        if (layer instanceof ConvTransposeSpec t) {
            checkTranspose(t, n);
        }
    }

    private static void checkTranspose(ConvTransposeSpec t, int n) {
        Dims outputPadding = present("output_padding", t.outputPadding());
        length("output_padding", outputPadding, n);
        for (int d = 0; d < n; d++) {
            if (outputPadding.get(d) < 0) {
                throw new SpecException("output_padding: must be >= 0, got " + outputPadding);
            }
        }
        for (int d = 0; d < n; d++) {
            if (outputPadding.get(d) >= t.stride().get(d)) {
                throw new SpecException("output_padding: must be < stride (elementwise), got "
                        + outputPadding + " vs " + t.stride());
            }
        }
        PaddingMode mode = t.paddingMode();
        if (mode == PaddingMode.REFLECT || mode == PaddingMode.REPLICATE) {
            throw new SpecException("padding_mode: " + mode
                    + " is not supported by equinox for ConvTranspose (only ZEROS and CIRCULAR)");
        }
        if (mode == PaddingMode.CIRCULAR) {
            if (!(t.padding() == Padding.Named.SAME || t.padding() == Padding.Named.SAME_LOWER)) {
                throw new SpecException("padding: ConvTranspose with padding_mode CIRCULAR needs padding SAME"
                        + " or SAME_LOWER (not supported by equinox otherwise), got " + t.padding());
            }
            if (!outputPadding.allEqual(0)) {
                throw new SpecException("output_padding: ConvTranspose with padding_mode CIRCULAR needs"
                        + " output_padding 0 (not supported by equinox otherwise), got " + outputPadding);
            }
        }
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

    private static void divisible(String name, int channels, int groups) {
        if (channels % groups != 0) {
            throw new SpecException("groups: " + name + " (=" + channels + ") must be divisible by groups (="
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
