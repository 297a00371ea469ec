package io.convjob.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.convjob.init.PrngKey;

import java.util.Map;
import java.util.Set;

/**
 * Typed reads of one JSON object's fields, strict about JSON types: an int must be a JSON integer
 * ({@code 3}, not {@code 3.0}, {@code "3"} or {@code true}), a bool a JSON boolean. Every error is one
 * line led by {@code prefix + key}.
 */
final class SpecFields {
    private static final long UINT32_MAX = 0xFFFF_FFFFL;

    private final ObjectNode node;
    private final String prefix;

    SpecFields(ObjectNode node, String prefix) {
        this.node = node;
        this.prefix = prefix;
    }

    /** The JSON path prefix of this object: {@code ""} or e.g. {@code "layers[2]."}. */
    String prefix() {
        return prefix;
    }

    boolean has(String key) {
        return node.has(key);
    }

    SpecException error(String key, String message) {
        return new SpecException(prefix + key + ": " + message);
    }

    /** Whether {@code key} holds a JSON string. */
    boolean isString(String key) {
        return has(key) && node.get(key).isTextual();
    }

    String string(String key) {
        JsonNode v = node.get(key);
        if (!v.isTextual()) throw error(key, "expected a string, got " + show(v));
        return v.textValue();
    }

    int requiredInt(String key) {
        return toInt(key, node.get(key), "an int");
    }

    int optionalInt(String key, int defaultValue) {
        return has(key) ? requiredInt(key) : defaultValue;
    }

    boolean bool(String key, boolean defaultValue) {
        if (!has(key)) return defaultValue;
        JsonNode v = node.get(key);
        if (!v.isBoolean()) throw error(key, "expected true or false, got " + show(v));
        return v.booleanValue();
    }

    /**
     * equinox's {@code _ntuple}: an int repeated {@code n} times, or a list of ints kept as given
     * (its length is checked by {@link SpecRules}).
     */
    Dims dims(String key, int n, int defaultValue) {
        if (!has(key)) return Dims.repeat(defaultValue, n);
        JsonNode v = node.get(key);
        String expected = "an int or a list of " + n + " ints";
        if (v.isArray()) {
            int[] values = new int[v.size()];
            for (int i = 0; i < values.length; i++) values[i] = toInt(key, v.get(i), expected, v);
            return Dims.of(values);
        }
        return Dims.repeat(toInt(key, v, expected), n);
    }

    /**
     * equinox's {@code _padding_init}: a string (SAME, SAME_LOWER, VALID, any case), an int, a list of
     * {@code n} ints, or a list of {@code n} {@code [lo, hi]} pairs; a mix of ints and pairs is refused,
     * as equinox's all-sequences test sends it down the per-dim path where it fails.
     */
    Padding padding(int n) {
        String key = "padding";
        if (!has(key)) return Padding.Explicit.symmetric(Dims.repeat(0, n));
        JsonNode v = node.get(key);
        if (!v.isTextual()) return numericPadding(v, n);
        try {
            return Padding.named(v.textValue());
        } catch (SpecException e) {
            throw e.at(prefix);
        }
    }

    private Padding numericPadding(JsonNode v, int n) {
        String key = "padding";
        String expected = "a string SAME, SAME_LOWER or VALID, an int, or a list of " + n
                + " ints or of " + n + " [lo, hi] pairs";
        if (!v.isArray()) return Padding.Explicit.symmetric(Dims.repeat(toInt(key, v, expected), n));
        if (v.size() != n) {
            throw error(key, "length of " + show(v) + " is " + v.size() + ", expected " + n + " (num_spatial_dims)");
        }
        int pairs = 0;
        for (JsonNode e : v) if (e.isArray()) pairs++;
        int[] lo = new int[n];
        int[] hi = new int[n];
        if (pairs == 0) {
            for (int d = 0; d < n; d++) lo[d] = hi[d] = toInt(key, v.get(d), expected, v);
            return new Padding.Explicit(Dims.of(lo), Dims.of(hi));
        }
        if (pairs != n) {
            throw error(key, "mixes ints and [lo, hi] pairs in " + show(v) + "; give all ints or all pairs");
        }
        int[][] values = new int[n][];
        for (int d = 0; d < n; d++) {
            JsonNode pair = v.get(d);
            values[d] = new int[pair.size()];
            for (int i = 0; i < values[d].length; i++) values[d][i] = toInt(key, pair.get(i), expected, v);
        }
        try {
            return Padding.Explicit.pairs(values);
        } catch (SpecException e) {
            throw e.at(prefix);
        }
    }

    PaddingMode paddingMode() {
        String key = "padding_mode";
        if (!has(key)) return PaddingMode.ZEROS;
        String name = SpecParser.upper(string(key));
        for (PaddingMode mode : PaddingMode.values()) {
            if (mode.name().equals(name)) return mode;
        }
        throw error(key, "must be ZEROS, REFLECT, REPLICATE or CIRCULAR (any case), got " + show(node.get(key)));
    }

    /**
     * {@code key}: an int seed for {@code jax.random.PRNGKey} (must fit int64), or the two uint32 words
     * {@code [k0, k1]}; absent or null gives null (the weights then come from a file).
     */
    PrngKey key() {
        String key = "key";
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) return null;
        String expected = "an int seed or [k0, k1] (two uint32 words)";
        if (v.isIntegralNumber()) {
            if (!v.canConvertToLong()) throw error(key, "seed " + show(v) + " does not fit in int64");
            return PrngKey.fromSeed(v.longValue());
        }
        if (!v.isArray() || v.size() != 2) throw error(key, "expected " + expected + ", got " + show(v));
        long[] words = new long[2];
        for (int i = 0; i < 2; i++) {
            JsonNode w = v.get(i);
            if (!w.isIntegralNumber()) throw error(key, "expected " + expected + ", got " + show(v));
            if (!w.canConvertToLong() || w.longValue() < 0 || w.longValue() > UINT32_MAX) {
                throw error(key, "words must be uint32 (0.." + UINT32_MAX + "), got " + show(v));
            }
            words[i] = w.longValue();
        }
        return new PrngKey((int) words[0], (int) words[1]);
    }

    /** The first key of this object not in {@code known}, or null. */
    String firstUnknown(Set<String> known) {
        for (Map.Entry<String, JsonNode> field : node.properties()) {
            if (!known.contains(field.getKey())) return field.getKey();
        }
        return null;
    }

    private int toInt(String key, JsonNode v, String expected) {
        return toInt(key, v, expected, null);
    }

    /** {@code whole} is the enclosing list, shown for context when {@code v} is one of its elements. */
    private int toInt(String key, JsonNode v, String expected, JsonNode whole) {
        String in = whole == null ? "" : " in " + show(whole);
        if (!v.isIntegralNumber()) throw error(key, "expected " + expected + ", got " + show(v) + in);
        if (!v.canConvertToInt()) throw error(key, show(v) + in + " does not fit in a 32-bit int");
        return v.intValue();
    }

    /** Longest value a message quotes in full; longer ones are cut, so an error stays one readable line. */
    private static final int SHOWN_CHARS = 80;

    /** Compact JSON with a space after commas, e.g. {@code [1, [0, 1]]} or {@code "3"}; cut past 80 characters. */
    static String show(JsonNode v) {
        String full = showFull(v);
        return full.length() <= SHOWN_CHARS ? full : full.substring(0, SHOWN_CHARS - 3) + "...";
    }

    private static String showFull(JsonNode v) {
        if (v.isArray()) {
            StringBuilder sb = new StringBuilder("[");
            for (int i = 0; i < v.size(); i++) sb.append(i == 0 ? "" : ", ").append(showFull(v.get(i)));
            return sb.append(']').toString();
        }
        return v.toString();
    }
}
