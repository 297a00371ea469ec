package io.convjob.spec;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;
import java.util.Map;

/** Reads the spec's {@code preprocess} section into {@link Preprocess}; every error is one line led by its key. */
final class PreprocessParser {
    private PreprocessParser() {}

    static final String KEY = "preprocess";
    private static final List<String> KEYS = List.of("resize", "center_crop", "channels", "interpolation", "scale",
            "mean", "std");

    static Preprocess parse(JsonNode node) {
        if (!node.isObject()) throw error("", "expected an object like {\"resize\": 256, \"center_crop\": 224}, got " + SpecFields.show(node));
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            if (!KEYS.contains(e.getKey())) {
                throw error("." + e.getKey(), "unknown key; known keys: " + String.join(", ", KEYS));
            }
        }
        Preprocess.Resize resize = null;
        if (node.has("resize")) {
            int[] size = sizes(node.get("resize"), "resize");
            resize = size.length == 1 ? Preprocess.Resize.shorterSide(size[0]) : Preprocess.Resize.exact(size[0], size[1]);
        }
        int[] crop = null;
        if (node.has("center_crop")) {
            int[] size = sizes(node.get("center_crop"), "center_crop");
            crop = size.length == 1 ? new int[] {size[0], size[0]} : size;
        }
        if (node.has("interpolation")) {
            JsonNode v = node.get("interpolation");
            if (!v.isTextual() || !v.textValue().equalsIgnoreCase(Preprocess.FILTER)) {
                throw error(".interpolation", "only \"" + Preprocess.FILTER + "\" (Pillow's BILINEAR, torchvision's"
                        + " default) is supported, got " + SpecFields.show(v));
            }
        }
        ImageChannels channels = null;
        if (node.has("channels")) {
            JsonNode v = node.get("channels");
            channels = v.isTextual() ? ImageChannels.named(v.textValue()) : null;
            if (channels == null) throw error(".channels", "expected \"L\", \"LA\", \"RGB\" or \"RGBA\", got " + SpecFields.show(v));
        }
        Double scale = null;
        if (node.has("scale")) {
            scale = number(node.get("scale"), ".scale");
            if (!(scale > 0)) throw error(".scale", "must be > 0, got " + SpecFields.show(node.get("scale")));
        }
        double[] mean = node.has("mean") ? numbers(node.get("mean"), ".mean") : null;
        double[] std = node.has("std") ? numbers(node.get("std"), ".std") : null;
        if (std != null) {
            for (double s : std) if (!(s > 0)) throw error(".std", "every value must be > 0, got " + SpecFields.show(node.get("std")));
        }
        if (mean != null && std != null && mean.length != std.length) {
            throw error(".std", "has " + std.length + " values but mean has " + mean.length);
        }
        int perChannel = mean != null ? mean.length : std != null ? std.length : 0;
        if (channels != null && perChannel > 1 && perChannel != channels.count()) {
            throw error(mean != null ? ".mean" : ".std", "has " + perChannel + " values, expected 1 or "
                    + channels.count() + " (channels " + channels + ")");
        }
        return new Preprocess(resize, crop, channels, scale, mean, std);
    }

    /** An int, or a list of one or two ints ({@code [h, w]}), each >= 1. */
    private static int[] sizes(JsonNode v, String key) {
        String expected = "an int or [height, width]";
        int[] out;
        if (v.isIntegralNumber() && v.canConvertToInt()) {
            out = new int[] {v.intValue()};
        } else if (v.isArray() && (v.size() == 1 || v.size() == 2)) {
            out = new int[v.size()];
            for (int i = 0; i < out.length; i++) {
                JsonNode e = v.get(i);
                if (!e.isIntegralNumber() || !e.canConvertToInt()) throw error("." + key, "expected " + expected + ", got " + SpecFields.show(v));
                out[i] = e.intValue();
            }
        } else {
            throw error("." + key, "expected " + expected + ", got " + SpecFields.show(v));
        }
        for (int s : out) if (s < 1) throw error("." + key, "sizes must be >= 1, got " + SpecFields.show(v));
        return out;
    }

    private static double number(JsonNode v, String key) {
        if (!v.isNumber()) throw error(key, "expected a number, got " + SpecFields.show(v));
        double d = v.doubleValue();
        if (!Double.isFinite(d)) throw error(key, "must be finite, got " + SpecFields.show(v));
        return d;
    }

    private static double[] numbers(JsonNode v, String key) {
        if (v.isNumber()) return new double[] {number(v, key)};
        if (!v.isArray() || v.isEmpty()) throw error(key, "expected a number or a list of numbers (one per channel), got " + SpecFields.show(v));
        double[] out = new double[v.size()];
        for (int i = 0; i < out.length; i++) out[i] = number(v.get(i), key);
        return out;
    }

    private static SpecException error(String key, String message) {
        return new SpecException(KEY + key + ": " + message);
    }
}
