package io.convjob.spec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.convjob.init.PrngKey;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;

/**
 * Reads a model spec from JSON into canonical records, the way equinox's constructors read their
 * arguments; the records check themselves ({@link SpecRules}).
 *
 * <p>The JSON is one layer object, or a stack {@code {"layers": [...]}} whose entries are layers or
 * activations {@code {"layer": "relu"}}. Layer keys are equinox's argument names ({@code layer},
 * {@code num_spatial_dims}, {@code in_channels}, {@code out_channels}, {@code kernel_size}, {@code stride},
 * {@code output_padding} (ConvTranspose), {@code padding}, {@code dilation}, {@code groups},
 * {@code use_bias}, {@code padding_mode}, {@code dtype} ("float32" only), {@code key}) plus
 * {@code threefry_partitionable} (default true, i.e. JAX >= 0.5), which a stack may also give at its top
 * level as the default for its layers. Missing keys take equinox's defaults; unknown keys, duplicate
 * keys and wrong JSON types are errors.
 */
public final class SpecParser {
    /** The largest spec accepted, in characters of JSON (a 200-layer stack is about 40 K). */
    public static final int MAX_SPEC_CHARS = 1 << 20;
    /** The deepest JSON nesting accepted (a spec needs 4: stack, layer, preprocess, a list). */
    public static final int MAX_SPEC_DEPTH = 32;

    private static final ObjectMapper JSON = JsonMapper.builder(com.fasterxml.jackson.core.JsonFactory.builder()
                    .streamReadConstraints(com.fasterxml.jackson.core.StreamReadConstraints.builder()
                            .maxNestingDepth(MAX_SPEC_DEPTH).build())
                    .build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private static final List<String> CONV_KEYS = List.of("layer", "num_spatial_dims", "in_channels",
            "out_channels", "kernel_size", "stride", "padding", "dilation", "groups", "use_bias", "padding_mode",
            "dtype", "key", "threefry_partitionable");
    private static final List<String> TRANSPOSE_KEYS = List.of("layer", "num_spatial_dims", "in_channels",
            "out_channels", "kernel_size", "stride", "output_padding", "padding", "dilation", "groups", "use_bias",
            "padding_mode", "dtype", "key", "threefry_partitionable");
    private static final List<String> STACK_KEYS = List.of("layers", "threefry_partitionable");

    /** equinox's class names; the numbered ones fix num_spatial_dims (0 = taken from the spec). */
    private static final Map<String, LayerKind> KINDS = kinds();

    /**
     * How many specs this JVM has parsed: a statistic only (nothing reads it to decide anything), which lets tests
     * show that a job parses its spec once on the driver and once per executor JVM.
     */
    private static final LongAdder PARSES = new LongAdder();

    private SpecParser() {}

    /** Specs parsed in this JVM so far (successful or not). */
    public static long parseCount() {
        return PARSES.sum();
    }

    private record LayerKind(String name, boolean transpose, int fixedDims) {}

    private static Map<String, LayerKind> kinds() {
        Map<String, LayerKind> m = new LinkedHashMap<>();
        for (boolean transpose : new boolean[] {false, true}) {
            String base = transpose ? "ConvTranspose" : "Conv";
            m.put(base, new LayerKind(base, transpose, 0));
            for (int n = 1; n <= 3; n++) m.put(base + n + "d", new LayerKind(base + n + "d", transpose, n));
        }
        return Map.copyOf(m);
    }

    /**
     * Reads a spec file.
     *
     * @throws SpecException naming the file when it cannot be read; otherwise as {@link #parse(String)}
     */
    public static ModelSpec parse(Path file) {
        String text;
        try (java.io.InputStream in = Files.newInputStream(file)) {
            byte[] bytes = in.readNBytes(MAX_SPEC_CHARS + 1); // bounded: a spec may name /dev/zero or a huge file
            if (bytes.length > MAX_SPEC_CHARS) throw tooLarge("spec file " + file);
            text = new String(bytes, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new SpecException("spec file " + file + ": not found");
        } catch (IOException e) {
            throw new SpecException("spec file " + file + ": cannot read (" + e + ")");
        }
        return parse(text);
    }

    /**
     * Reads a spec from JSON text.
     *
     * @throws SpecException with one line led by the JSON path: invalid JSON, unknown or duplicate key,
     *         missing required key, wrong JSON type, a value equinox refuses, or a {@link SpecRules} rule
     */
    public static ModelSpec parse(String json) {
        PARSES.increment();
        if (json.length() > MAX_SPEC_CHARS) throw tooLarge("spec");
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (com.fasterxml.jackson.core.exc.StreamConstraintsException e) {
            throw new SpecException("spec: nested deeper than " + MAX_SPEC_DEPTH + " levels, the limit for a spec");
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            throw new SpecException("spec: invalid JSON" + where + ": " + oneLine(e.getOriginalMessage()));
        }
        if (root == null || !root.isObject()) {
            throw new SpecException("spec: expected a JSON object (one layer or {\"layers\": [...]}), got "
                    + (root == null || root.isMissingNode() ? "nothing" : SpecFields.show(root)));
        }
        ObjectNode object = ((ObjectNode) root).deepCopy();
        // the image preprocessing sits beside the layers (or the single layer's keys) and is read on its own
        JsonNode preprocess = object.remove(PreprocessParser.KEY);
        ModelSpec model = parseModel(object);
        return preprocess == null ? model : model.withPreprocess(PreprocessParser.parse(preprocess));
    }

    /** The refusal of a spec beyond {@link #MAX_SPEC_CHARS}, led by {@code what}. */
    public static SpecException tooLarge(String what) {
        return new SpecException(what + ": more than " + (MAX_SPEC_CHARS >> 20) + " MiB (" + MAX_SPEC_CHARS
                + " characters), the limit for a spec");
    }

    /**
     * Reads a {@code preprocess} section on its own (e.g. the {@code image-tensor} source's options), with the same
     * checks and messages as inside a spec; not counted by {@link #parseCount()} (it builds no model).
     *
     * @throws SpecException with one line led by {@code preprocess.<key>}
     */
    public static Preprocess parsePreprocess(JsonNode section) {
        return PreprocessParser.parse(section);
    }

    private static ModelSpec parseModel(ObjectNode object) {
        if (object.has("framework")) return TorchSpecParser.parse(object);
        if (object.has("layers")) return parseStack(object);
        SpecFields fields = new SpecFields(object, "");
        if (!fields.has("layer")) {
            throw fields.error("layer", "missing; a spec is one layer {\"layer\": \"Conv\", ...} or a stack"
                    + " {\"layers\": [...]}");
        }
        LayerSpec layer = parseEntry(object, "", true);
        if (layer instanceof ActivationSpec a) {
            throw fields.error("layer", "\"" + a.activation().specName() + "\" is an activation; activations"
                    + " may appear only inside a stack {\"layers\": [...]}");
        }
        if (layer instanceof FlattenSpec) {
            throw fields.error("layer", "\"flatten\" may appear only inside a stack {\"layers\": [...]}");
        }
        return ModelSpec.single(layer);
    }

    private static ModelSpec parseStack(ObjectNode object) {
        SpecFields top = new SpecFields(object, "");
        rejectUnknown(top, STACK_KEYS, "a stack");
        boolean partitionable = top.bool("threefry_partitionable", true);
        JsonNode layers = object.get("layers");
        if (!layers.isArray() || layers.isEmpty()) {
            throw top.error("layers", "expected a non-empty list of layers, got " + SpecFields.show(layers));
        }
        List<LayerSpec> specs = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            JsonNode entry = layers.get(i);
            String path = ModelSpec.stackPath(i);
            if (!entry.isObject()) {
                throw new SpecException(path + ": expected a layer object like {\"layer\": \"Conv\", ...} or"
                        + " {\"layer\": \"relu\"}, got " + SpecFields.show(entry));
            }
            if (!entry.has("layer")) throw new SpecException(path + ".layer: missing; " + layerNames());
            specs.add(parseEntry((ObjectNode) entry, path + ".", partitionable));
        }
        return ModelSpec.stack(specs);
    }

    private static LayerSpec parseEntry(ObjectNode object, String prefix, boolean defaultPartitionable) {
        SpecFields f = new SpecFields(object, prefix);
        String name = f.string("layer");
        if (PoolSpecParser.isPoolName(name)) return PoolSpecParser.parse(f, name);
        if (FlattenSpec.NAME.equalsIgnoreCase(name)) {
            String unknown = f.firstUnknown(Set.of("layer"));
            if (unknown != null) throw f.error(unknown, "unknown key for flatten; flatten takes only \"layer\"");
            return new FlattenSpec();
        }
        LayerKind kind = KINDS.get(name);
        if (kind == null) {
            Activation activation = activation(name);
            if (activation == null) throw f.error("layer", "unknown layer \"" + name + "\"; " + layerNames());
            String unknown = f.firstUnknown(Set.of("layer"));
            if (unknown != null) {
                throw f.error(unknown, "unknown key for activation " + activation.specName()
                        + "; an activation takes only \"layer\"");
            }
            return new ActivationSpec(activation);
        }
        return parseConv(f, kind, defaultPartitionable);
    }

    private static ConvLayerSpec parseConv(SpecFields f, LayerKind kind, boolean defaultPartitionable) {
        List<String> known = kind.transpose() ? TRANSPOSE_KEYS : CONV_KEYS;
        if (!kind.transpose() && f.has("output_padding")) {
            throw f.error("output_padding", "only ConvTranspose takes output_padding, not " + kind.name());
        }
        rejectUnknown(f, known, kind.name());
        int n = spatialDims(f, kind);
        for (String required : List.of("in_channels", "out_channels", "kernel_size")) {
            if (!f.has(required)) {
                throw f.error(required, "missing; " + kind.name() + " requires in_channels, out_channels and"
                        + " kernel_size");
            }
        }
        if (f.has("dtype") && !"float32".equals(f.string("dtype"))) {
            throw f.error("dtype", "only \"float32\" is supported (we compute in float32), got \""
                    + f.string("dtype") + "\"");
        }
        int inChannels = f.requiredInt("in_channels");
        int outChannels = f.requiredInt("out_channels");
        Dims kernelSize = f.dims("kernel_size", n, 1);
        Dims stride = f.dims("stride", n, 1);
        Padding padding = f.padding(n);
        Dims dilation = f.dims("dilation", n, 1);
        int groups = f.optionalInt("groups", 1);
        boolean useBias = f.bool("use_bias", true);
        PaddingMode paddingMode = f.paddingMode();
        PrngKey key = f.key();
        boolean partitionable = f.bool("threefry_partitionable", defaultPartitionable);
        Dims outputPadding = kind.transpose() ? f.dims("output_padding", n, 0) : null;
        try {
            return kind.transpose()
                    ? new ConvTransposeSpec(n, inChannels, outChannels, kernelSize, stride, padding, outputPadding,
                            dilation, groups, useBias, paddingMode, key, partitionable)
                    : new ConvSpec(n, inChannels, outChannels, kernelSize, stride, padding, dilation, groups, useBias,
                            paddingMode, key, partitionable);
        } catch (SpecException e) { // the record checked itself; the message gains the entry's JSON path
            throw e.at(f.prefix());
        }
    }

    /** num_spatial_dims: fixed by Conv1d..3d (a given value must agree), required for Conv / ConvTranspose. */
    private static int spatialDims(SpecFields f, LayerKind kind) {
        String key = "num_spatial_dims";
        if (!f.has(key)) {
            if (kind.fixedDims() > 0) return kind.fixedDims();
            throw f.error(key, "missing; " + kind.name() + " requires num_spatial_dims (or use " + kind.name()
                    + "1d, " + kind.name() + "2d or " + kind.name() + "3d)");
        }
        int n = f.requiredInt(key);
        if (kind.fixedDims() > 0 && n != kind.fixedDims()) {
            throw f.error(key, n + " conflicts with " + kind.name() + " (" + kind.fixedDims() + " spatial dims)");
        }
        if (n < 1) throw f.error(key, "must be >= 1, got " + n);
        return n;
    }

    static void rejectUnknown(SpecFields f, List<String> known, String what) {
        String unknown = f.firstUnknown(new LinkedHashSet<>(known));
        if (unknown == null) return;
        String hint = closest(unknown, known);
        throw f.error(unknown, "unknown key for " + what + (hint == null ? "" : " (did you mean " + hint + "?)")
                + "; known keys: " + String.join(", ", known));
    }

    /** The known key within edit distance 2 of {@code key}, if any: the likely typo fix. */
    private static String closest(String key, List<String> known) {
        String best = null;
        int bestDistance = 3;
        for (String k : known) {
            int d = editDistance(key.toLowerCase(Locale.ROOT), k);
            if (d < bestDistance) {
                best = k;
                bestDistance = d;
            }
        }
        return best;
    }

    private static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitute = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(substitute, Math.min(prev[j], cur[j - 1]) + 1);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    private static Activation activation(String name) {
        for (Activation a : Activation.values()) {
            if (a.specName().equalsIgnoreCase(name)) return a;
        }
        return null;
    }

    private static String layerNames() {
        List<String> activations = new ArrayList<>();
        for (Activation a : Activation.values()) activations.add(a.specName());
        return "expected one of Conv, Conv1d, Conv2d, Conv3d, ConvTranspose, ConvTranspose1d, ConvTranspose2d,"
                + " ConvTranspose3d, " + PoolSpecParser.NAMES + ", flatten, or an activation "
                + String.join(", ", activations);
    }

    static String upper(String s) {
        return s.toUpperCase(Locale.ROOT);
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s*\\R\\s*", " ").trim();
    }
}
