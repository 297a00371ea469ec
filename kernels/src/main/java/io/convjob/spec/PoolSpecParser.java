package io.convjob.spec;

import java.util.List;
import java.util.function.Supplier;

/**
 * Reads equinox's pooling entries ({@code MaxPool1d}..{@code AdaptiveAvgPool3d}) the way their constructors read
 * their arguments; the records apply {@link PoolRules}. Called by {@link SpecParser} for those layer names.
 */
final class PoolSpecParser {
    private static final List<String> POOL_KEYS = List.of("layer", "kernel_size", "stride", "padding", "use_ceil");
    private static final List<String> ADAPTIVE_KEYS = List.of("layer", "target_shape");
    static final String NAMES = "MaxPool1d/2d/3d, AvgPool1d/2d/3d, AdaptiveMaxPool1d/2d/3d, AdaptiveAvgPool1d/2d/3d";

    private PoolSpecParser() {}

    /** The class name with its dims, e.g. {@code MaxPool2d}: base name, reduction, adaptive, dims. */
    private record PoolKind(String base, PoolReduction reduction, boolean adaptive, int dims) {}

    private static PoolKind kind(String name) {
        for (String base : List.of("MaxPool", "AvgPool", "AdaptiveMaxPool", "AdaptiveAvgPool")) {
            for (int n = 1; n <= 3; n++) {
                if (name.equals(base + n + "d")) {
                    return new PoolKind(base, base.contains("Max") ? PoolReduction.MAX : PoolReduction.MEAN,
                            base.startsWith("Adaptive"), n);
                }
            }
        }
        return null;
    }

    static boolean isPoolName(String name) {
        return kind(name) != null;
    }

    static PoolLayerSpec parse(SpecFields f, String name) {
        PoolKind kind = kind(name);
        int n = kind.dims();
        PoolLayerSpec spec;
        if (kind.adaptive()) {
            SpecParser.rejectUnknown(f, ADAPTIVE_KEYS, name);
            if (!f.has("target_shape")) throw f.error("target_shape", "missing; " + name + " requires target_shape");
            Dims target = f.dims("target_shape", n, 1);
            spec = checked(f, () -> new AdaptivePoolSpec(kind.reduction(), n, target));
        } else {
            SpecParser.rejectUnknown(f, POOL_KEYS, name);
            if (!f.has("kernel_size")) throw f.error("kernel_size", "missing; " + name + " requires kernel_size");
            if (f.isString("padding")) {
                throw f.error("padding", name + " takes an int, a list of ints or of [lo, hi] pairs, not a string"
                        + " (equinox's pooling has no SAME or VALID), got \"" + f.string("padding") + "\"");
            }
            Dims kernel = f.dims("kernel_size", n, 1);
            Dims stride = f.dims("stride", n, 1);
            Padding.Explicit padding = (Padding.Explicit) f.padding(n);
            boolean useCeil = f.bool("use_ceil", false);
            spec = checked(f, () -> new PoolSpec(kind.reduction(), n, kernel, stride, padding, useCeil));
        }
        return spec;
    }

    /** The record checks itself ({@link PoolRules}); its message gains the entry's JSON path. */
    private static PoolLayerSpec checked(SpecFields f, Supplier<PoolLayerSpec> make) {
        try {
            return make.get();
        } catch (SpecException e) {
            throw e.at(f.prefix());
        }
    }
}
