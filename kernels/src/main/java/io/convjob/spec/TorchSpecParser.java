package io.convjob.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The PyTorch form of a stack: {@code {"framework": "pytorch", "layers": [{"layer": "Conv2d", ...}, ...]}},
 * each entry a {@code torch.nn} module with PyTorch's argument names and defaults, mapped onto the same
 * layers as equinox's form, one layer per module (so layer {@code i} is module {@code i} of the
 * {@code nn.Sequential}). Where PyTorch means something our layers do not compute exactly, the argument is
 * refused with one line naming it; nothing is approximated.
 *
 * <p>Weights are then a state dict: {@code {weights_prefix}{name}.weight}, where {@code name} is the module's
 * index in the list or the entry's {@code "name"}.
 */
final class TorchSpecParser {
    private TorchSpecParser() {}

    private static final List<String> STACK_KEYS = List.of("framework", "layers", "weights_prefix");
    private static final List<String> CONV_KEYS = List.of("layer", "name", "in_channels", "out_channels",
            "kernel_size", "stride", "padding", "dilation", "groups", "bias", "padding_mode", "device", "dtype");
    private static final List<String> TRANSPOSE_KEYS = List.of("layer", "name", "in_channels", "out_channels",
            "kernel_size", "stride", "padding", "output_padding", "groups", "bias", "dilation", "padding_mode",
            "device", "dtype");
    private static final List<String> MAX_POOL_KEYS = List.of("layer", "name", "kernel_size", "stride", "padding",
            "dilation", "return_indices", "ceil_mode");
    private static final List<String> AVG_POOL1D_KEYS = List.of("layer", "name", "kernel_size", "stride", "padding",
            "ceil_mode", "count_include_pad");
    private static final List<String> AVG_POOL_KEYS = List.of("layer", "name", "kernel_size", "stride", "padding",
            "ceil_mode", "count_include_pad", "divisor_override");
    private static final List<String> ADAPTIVE_AVG_KEYS = List.of("layer", "name", "output_size");
    private static final List<String> ADAPTIVE_MAX_KEYS = List.of("layer", "name", "output_size", "return_indices");
    private static final List<String> FLATTEN_KEYS = List.of("layer", "name", "start_dim", "end_dim");
    private static final Map<String, List<String>> ACTIVATION_KEYS = Map.of(
            "ReLU", List.of("layer", "name", "inplace"),
            "GELU", List.of("layer", "name", "approximate"),
            "SiLU", List.of("layer", "name", "inplace"),
            "Sigmoid", List.of("layer", "name"),
            "Tanh", List.of("layer", "name"));

    static ModelSpec parse(ObjectNode object) {
        SpecFields top = new SpecFields(object, "");
        String framework = top.string("framework");
        if (!framework.equals("pytorch")) {
            throw top.error("framework", "must be \"pytorch\" (leave it out for equinox's form), got \"" + framework + "\"");
        }
        rejectUnknown(top, STACK_KEYS, "a PyTorch stack");
        if (!top.has("layers")) throw top.error("layers", "missing; a PyTorch spec is {\"framework\": \"pytorch\", \"layers\": [...]}");
        String prefix = top.has("weights_prefix") ? top.string("weights_prefix") : "";
        JsonNode layers = object.get("layers");
        if (!layers.isArray() || layers.isEmpty()) {
            throw top.error("layers", "expected a non-empty list of torch.nn modules, got " + SpecFields.show(layers));
        }
        List<LayerSpec> specs = new ArrayList<>();
        List<String> names = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < layers.size(); i++) {
            String path = "layers[" + i + "]";
            JsonNode entry = layers.get(i);
            if (!entry.isObject()) {
                throw new SpecException(path + ": expected a module like {\"layer\": \"Conv2d\", ...}, got "
                        + SpecFields.show(entry));
            }
            SpecFields f = new SpecFields((ObjectNode) entry, path + ".");
            if (!f.has("layer")) throw f.error("layer", "missing; " + moduleNames());
            String name = f.has("name") ? f.string("name") : String.valueOf(i);
            if (name.isEmpty() || name.contains(".")) {
                throw f.error("name", "a module name is non-empty and has no '.', got \"" + name + "\"");
            }
            if (!seen.add(name)) throw f.error("name", "\"" + name + "\" names two modules");
            specs.add(module(f));
            names.add(name);
        }
        return new ModelSpec(specs, true, new WeightNaming.PyTorch(names, prefix), null);
    }

    private static LayerSpec module(SpecFields f) {
        String layer = f.string("layer");
        for (int n = 1; n <= 3; n++) {
            if (layer.equals("Conv" + n + "d")) return conv(f, layer, n);
            if (layer.equals("ConvTranspose" + n + "d")) return convTranspose(f, layer, n);
            if (layer.equals("MaxPool" + n + "d")) return pool(f, layer, PoolReduction.MAX, n);
            if (layer.equals("AvgPool" + n + "d")) return pool(f, layer, PoolReduction.MEAN, n);
            if (layer.equals("AdaptiveMaxPool" + n + "d")) return adaptivePool(f, layer, PoolReduction.MAX, n);
            if (layer.equals("AdaptiveAvgPool" + n + "d")) return adaptivePool(f, layer, PoolReduction.MEAN, n);
        }
        if (layer.equals("Flatten")) return flatten(f);
        List<String> keys = ACTIVATION_KEYS.get(layer);
        if (keys == null) throw f.error("layer", "unknown module \"" + layer + "\"; " + moduleNames());
        rejectUnknown(f, keys, layer);
        if (f.has("inplace")) f.bool("inplace", false); // no effect on the result: checked for type only
        return new ActivationSpec(switch (layer) {
            case "ReLU" -> Activation.RELU;
            case "SiLU" -> Activation.SILU;
            case "Sigmoid" -> Activation.SIGMOID;
            case "Tanh" -> Activation.TANH;
            case "GELU" -> gelu(f);
            default -> throw new IllegalStateException(layer);
        });
    }

    /** {@code approximate="none"} (PyTorch's default) is the erf form; {@code "tanh"} is JAX's default form. */
    private static Activation gelu(SpecFields f) {
        String approximate = f.has("approximate") ? f.string("approximate") : "none";
        return switch (approximate) {
            case "none" -> Activation.GELU_EXACT;
            case "tanh" -> Activation.GELU;
            default -> throw f.error("approximate", "must be \"none\" or \"tanh\" (as PyTorch), got \"" + approximate + "\"");
        };
    }

    private static ConvSpec conv(SpecFields f, String layer, int n) {
        rejectUnknown(f, CONV_KEYS, layer);
        Common c = common(f, layer, n);
        Padding padding = convPadding(f, n, c.stride());
        PaddingMode mode = paddingMode(f);
        try {
            return new ConvSpec(n, c.in(), c.out(), c.kernel(), c.stride(), padding, c.dilation(), c.groups(), c.bias(),
                    mode, null, true);
        } catch (SpecException e) { // the record checked itself; the message gains the entry's JSON path
            throw e.at(f.prefix());
        }
    }

    private static ConvTransposeSpec convTranspose(SpecFields f, String layer, int n) {
        rejectUnknown(f, TRANSPOSE_KEYS, layer);
        Common c = common(f, layer, n);
        if (f.has("padding") && f.isString("padding")) {
            throw f.error("padding", layer + " takes an int or a list of " + n + " ints (PyTorch has no \""
                    + f.string("padding") + "\" for transposed convolutions)");
        }
        Dims padding = nonNegative(f, "padding", f.dims("padding", n, 0), n);
        Dims outputPadding = nonNegative(f, "output_padding", f.dims("output_padding", n, 0), n);
        for (int d = 0; d < n; d++) {
            int op = outputPadding.get(d);
            if (op >= Math.max(c.stride().get(d), c.dilation().get(d))) {
                throw f.error("output_padding", "must be smaller than either stride or dilation (PyTorch's rule), got "
                        + outputPadding + " with stride " + c.stride() + " and dilation " + c.dilation());
            }
            if (op >= c.stride().get(d)) {
                throw f.error("output_padding", outputPadding + " is not below stride " + c.stride()
                        + "; PyTorch allows it up to the dilation, our ConvTranspose does not support it");
            }
        }
        if (f.has("padding_mode") && !f.string("padding_mode").equals("zeros")) {
            throw f.error("padding_mode", "only \"zeros\" is supported for " + layer + " (as in PyTorch), got \""
                    + f.string("padding_mode") + "\"");
        }
        try {
            return new ConvTransposeSpec(n, c.in(), c.out(), c.kernel(), c.stride(), Padding.Explicit.symmetric(padding),
                    outputPadding, c.dilation(), c.groups(), c.bias(), PaddingMode.ZEROS, null, true);
        } catch (SpecException e) {
            throw e.at(f.prefix());
        }
    }

    /**
     * MaxPool / AvgPool with PyTorch's defaults ({@code stride=None} is the kernel size). Where PyTorch's windows
     * equal equinox's (no dilation, no ceil_mode, padding counted in the mean) this is equinox's {@link PoolSpec};
     * otherwise a {@link TorchPoolSpec} computing PyTorch's windows on the same kernels.
     */
    private static PoolLayerSpec pool(SpecFields f, String layer, PoolReduction reduction, int n) {
        boolean max = reduction == PoolReduction.MAX;
        rejectUnknown(f, max ? MAX_POOL_KEYS : n == 1 ? AVG_POOL1D_KEYS : AVG_POOL_KEYS, layer);
        if (!f.has("kernel_size")) throw f.error("kernel_size", "missing; " + layer + " requires kernel_size");
        Dims kernel = positive(f, "kernel_size", f.dims("kernel_size", n, 1), n);
        Dims stride = f.has("stride") && !f.isNull("stride") ? positive(f, "stride", f.dims("stride", n, 1), n) : kernel;
        Dims padding = nonNegative(f, "padding", f.dims("padding", n, 0), n);
        Dims dilation = max ? positive(f, "dilation", f.dims("dilation", n, 1), n) : Dims.repeat(1, n);
        for (int d = 0; d < n; d++) {
            int effective = dilation.get(d) * (kernel.get(d) - 1) + 1;
            if (padding.get(d) > effective / 2) {
                throw f.error("padding", "should be at most half of the effective kernel size (as PyTorch), got "
                        + padding + " with kernel_size " + kernel + (max ? " and dilation " + dilation : ""));
            }
        }
        if (f.bool("return_indices", false)) {
            throw f.error("return_indices", "true is not supported: a layer here returns only the pooled values");
        }
        boolean ceilMode = f.bool("ceil_mode", false);
        boolean countIncludePad = f.bool("count_include_pad", true);
        int divisorOverride = 0;
        if (f.has("divisor_override") && !f.isNull("divisor_override")) {
            divisorOverride = f.requiredInt("divisor_override");
            if (divisorOverride == 0) throw f.error("divisor_override", "must not be zero (as PyTorch)");
        }
        boolean sameAsEquinox = !ceilMode && dilation.allEqual(1) && divisorOverride == 0
                && (max || countIncludePad || padding.allEqual(0));
        try {
            return sameAsEquinox
                    ? new PoolSpec(reduction, n, kernel, stride, Padding.Explicit.symmetric(padding), false)
                    : new TorchPoolSpec(reduction, n, kernel, stride, padding, dilation, ceilMode, countIncludePad,
                            divisorOverride);
        } catch (SpecException e) {
            throw e.at(f.prefix());
        }
    }

    /** AdaptiveAvgPool / AdaptiveMaxPool: {@code output_size} an int or one int (or null: keep) per dim. */
    private static TorchAdaptivePoolSpec adaptivePool(SpecFields f, String layer, PoolReduction reduction, int n) {
        rejectUnknown(f, reduction == PoolReduction.MAX ? ADAPTIVE_MAX_KEYS : ADAPTIVE_AVG_KEYS, layer);
        if (!f.has("output_size")) throw f.error("output_size", "missing; " + layer + " requires output_size");
        if (f.bool("return_indices", false)) {
            throw f.error("return_indices", "true is not supported: a layer here returns only the pooled values");
        }
        return new TorchAdaptivePoolSpec(reduction, n, Dims.of(f.positiveIntsOrNulls("output_size", n)));
    }

    /** {@code nn.Flatten()}: everything after the batch dim, i.e. our per-sample flatten. */
    private static FlattenSpec flatten(SpecFields f) {
        rejectUnknown(f, FLATTEN_KEYS, "Flatten");
        if (f.optionalInt("start_dim", 1) != 1) {
            throw f.error("start_dim", "only 1 (flatten all but the batch dim) is supported, got " + f.requiredInt("start_dim"));
        }
        if (f.optionalInt("end_dim", -1) != -1) {
            throw f.error("end_dim", "only -1 (to the last dim) is supported, got " + f.requiredInt("end_dim"));
        }
        return new FlattenSpec();
    }

    private static Dims positive(SpecFields f, String key, Dims values, int n) {
        if (values.size() != n) throw f.error(key, "expected an int or a list of " + n + " ints, got " + values);
        for (int d = 0; d < n; d++) {
            if (values.get(d) < 1) throw f.error(key, "must be >= 1 in every dim (as PyTorch), got " + values);
        }
        return values;
    }

    /** The arguments Conv and ConvTranspose share, with PyTorch's defaults. */
    private record Common(int in, int out, Dims kernel, Dims stride, Dims dilation, int groups, boolean bias) {}

    private static Common common(SpecFields f, String layer, int n) {
        for (String required : List.of("in_channels", "out_channels", "kernel_size")) {
            if (!f.has(required)) {
                throw f.error(required, "missing; " + layer + " requires in_channels, out_channels and kernel_size");
            }
        }
        if (f.has("dtype") && !f.isNull("dtype")) {
            String dtype = f.string("dtype");
            if (!dtype.equals("float32") && !dtype.equals("torch.float32")) {
                throw f.error("dtype", "only float32 is supported (we compute in float32), got \"" + dtype + "\"");
            }
        }
        if (f.has("device") && !f.isNull("device")) f.string("device"); // where PyTorch would put it: no effect here
        Dims kernel = f.dims("kernel_size", n, 1);
        Dims stride = f.dims("stride", n, 1);
        Dims dilation = f.dims("dilation", n, 1);
        return new Common(f.requiredInt("in_channels"), f.requiredInt("out_channels"), kernel, stride, dilation,
                f.optionalInt("groups", 1), f.bool("bias", true));
    }

    /** PyTorch's Conv padding: an int or one int per dim (both sides), "valid", or "same" (stride 1 only). */
    private static Padding convPadding(SpecFields f, int n, Dims stride) {
        if (!f.has("padding")) return Padding.Explicit.symmetric(Dims.repeat(0, n));
        if (f.isString("padding")) {
            String padding = f.string("padding");
            return switch (padding) {
                case "valid" -> Padding.Explicit.symmetric(Dims.repeat(0, n));
                case "same" -> {
                    if (!stride.allEqual(1)) {
                        throw f.error("padding", "\"same\" is not supported for strided convolutions (as in PyTorch),"
                                + " got stride " + stride);
                    }
                    yield Padding.Named.SAME; // PyTorch puts the odd element at the end, as SAME does
                }
                default -> throw f.error("padding", "must be an int, a list of " + n + " ints, \"same\" or \"valid\","
                        + " got \"" + padding + "\"");
            };
        }
        return Padding.Explicit.symmetric(nonNegative(f, "padding", f.dims("padding", n, 0), n));
    }

    private static Dims nonNegative(SpecFields f, String key, Dims values, int n) {
        if (values.size() != n) {
            throw f.error(key, "expected an int or a list of " + n + " ints, got " + values);
        }
        for (int d = 0; d < n; d++) {
            if (values.get(d) < 0) throw f.error(key, "must be >= 0 (PyTorch refuses negative padding), got " + values);
        }
        return values;
    }

    private static PaddingMode paddingMode(SpecFields f) {
        if (!f.has("padding_mode")) return PaddingMode.ZEROS;
        String mode = f.string("padding_mode");
        return switch (mode) {
            case "zeros" -> PaddingMode.ZEROS;
            case "reflect" -> PaddingMode.REFLECT;
            case "replicate" -> PaddingMode.REPLICATE;
            case "circular" -> PaddingMode.CIRCULAR;
            default -> throw f.error("padding_mode", "must be \"zeros\", \"reflect\", \"replicate\" or \"circular\","
                    + " got \"" + mode + "\"");
        };
    }

    private static void rejectUnknown(SpecFields f, List<String> known, String what) {
        String unknown = f.firstUnknown(new LinkedHashSet<>(known));
        if (unknown == null) return;
        throw f.error(unknown, "unknown argument for " + what + "; it takes " + String.join(", ", known));
    }

    private static String moduleNames() {
        return "expected one of Conv1d/2d/3d, ConvTranspose1d/2d/3d, MaxPool1d/2d/3d, AvgPool1d/2d/3d,"
                + " AdaptiveAvgPool1d/2d/3d, AdaptiveMaxPool1d/2d/3d, Flatten, ReLU, GELU, SiLU, Sigmoid, Tanh";
    }
}
