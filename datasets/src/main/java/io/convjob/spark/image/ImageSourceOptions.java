package io.convjob.spark.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.convjob.error.InputException;
import io.convjob.image.ImagePreprocessor;
import io.convjob.spec.Preprocess;
import io.convjob.spec.SpecParser;
import io.convjob.storage.Storage;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code image-tensor} options, parsed once.
 *
 * @param paths             {@code path} (or Spark's JSON {@code paths}): image files, directories or globs
 * @param preprocessor      from {@code spec} (a spec's JSON text, or the path of a spec file on any storage) or from
 *                          the {@code preprocess} keys given as options ({@code resize}, {@code center_crop},
 *                          {@code channels}, {@code interpolation}, {@code scale}, {@code mean}, {@code std})
 * @param column            {@code column}: the tensor column (default {@code tensor})
 * @param reasonColumn      {@code reasonColumn}: keep bad files as rows with a null tensor and why in this string
 *                          column; null (the default): a bad file fails the read with one line naming it
 * @param filesPerPartition {@code filesPerPartition}: files per task at most (default {@value #DEFAULT_FILES_PER_PARTITION})
 * @param allowIncomplete   {@code allowIncomplete}: read a directory a job is writing or left unfinished
 */
public record ImageSourceOptions(List<String> paths, ImagePreprocessor preprocessor, String column, String reasonColumn,
        int filesPerPartition, boolean allowIncomplete) implements Serializable {
    public static final String SPEC = "spec";
    public static final String COLUMN = "column";
    public static final String REASON_COLUMN = "reasonColumn";
    public static final String FILES_PER_PARTITION = "filesPerPartition";
    public static final String ALLOW_INCOMPLETE = "allowIncomplete";
    /** The preprocess keys, as options: each value is the key's JSON value ({@code 256}, {@code [0.5, 0.5, 0.5]}). */
    public static final List<String> PREPROCESS_KEYS = List.of("resize", "center_crop", "channels", "interpolation",
            "scale", "mean", "std");
    public static final int DEFAULT_FILES_PER_PARTITION = 64;
    private static final List<String> TEXT_KEYS = List.of("channels", "interpolation");
    private static final List<String> OTHER_KEYS = List.of("path", "paths", SPEC, COLUMN, REASON_COLUMN,
            FILES_PER_PARTITION, ALLOW_INCOMPLETE);
    private static final ObjectMapper JSON = new ObjectMapper();

    public ImageSourceOptions {
        paths = List.copyOf(paths);
    }

    /** Parses Spark's options (keys case-insensitive); reads a {@code spec} file through {@code storage}. */
    public static ImageSourceOptions parse(Map<String, String> options, Storage storage) {
        Map<String, String> lower = new LinkedHashMap<>();
        options.forEach((k, v) -> lower.put(k.toLowerCase(Locale.ROOT), v));
        for (String key : lower.keySet()) {
            if (!OTHER_KEYS.stream().anyMatch(k -> k.equalsIgnoreCase(key)) && !PREPROCESS_KEYS.contains(key)) {
                throw new InputException("image-tensor option " + key + ": unknown; options are " + String.join(", ", OTHER_KEYS)
                        + ", and the preprocess keys " + String.join(", ", PREPROCESS_KEYS));
            }
        }
        List<String> paths = new ArrayList<>();
        if (lower.containsKey("path")) paths.add(lower.get("path"));
        if (lower.containsKey("paths")) paths.addAll(stringList(lower.get("paths")));
        String column = lower.getOrDefault(COLUMN.toLowerCase(Locale.ROOT), "tensor");
        String reason = lower.get(REASON_COLUMN.toLowerCase(Locale.ROOT));
        if (reason != null && (reason.isBlank() || reason.equals(column) || reason.equals(ImageTensorSource.ID_COLUMN))) {
            throw new InputException("image-tensor option reasonColumn: must be a name other than '" + column + "' and '"
                    + ImageTensorSource.ID_COLUMN + "', got '" + reason + "'");
        }
        int perPartition = positiveInt(lower.get(FILES_PER_PARTITION.toLowerCase(Locale.ROOT)));
        String incomplete = lower.getOrDefault(ALLOW_INCOMPLETE.toLowerCase(Locale.ROOT), "false").strip();
        if (!incomplete.equalsIgnoreCase("true") && !incomplete.equalsIgnoreCase("false")) {
            throw new InputException("image-tensor option allowIncomplete: must be true or false, got " + incomplete);
        }
        return new ImageSourceOptions(paths, preprocessor(lower, storage), column, reason, perPartition,
                Boolean.parseBoolean(incomplete));
    }

    /** The options that give {@code preprocess} (channels set): what the job passes for a spec it has parsed. */
    public static Map<String, String> preprocessOptions(Preprocess preprocess) {
        Map<String, String> options = new LinkedHashMap<>();
        if (preprocess.resize() != null) {
            Preprocess.Resize r = preprocess.resize();
            options.put("resize", r.isExact() ? "[" + r.height() + ", " + r.width() + "]" : Integer.toString(r.shorter()));
        }
        int[] crop = preprocess.centerCrop();
        if (crop != null) options.put("center_crop", "[" + crop[0] + ", " + crop[1] + "]");
        if (preprocess.channels() != null) options.put("channels", preprocess.channels().name());
        if (preprocess.scale() != null) options.put("scale", Double.toString(preprocess.scale()));
        if (preprocess.mean() != null) options.put("mean", doubles(preprocess.mean()));
        if (preprocess.std() != null) options.put("std", doubles(preprocess.std()));
        return options;
    }

    private static String doubles(double[] values) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < values.length; i++) sb.append(i == 0 ? "" : ", ").append(values[i]);
        return sb.append(']').toString();
    }

    private static ImagePreprocessor preprocessor(Map<String, String> lower, Storage storage) {
        String spec = lower.get(SPEC);
        List<String> keys = PREPROCESS_KEYS.stream().filter(lower::containsKey).toList();
        if (spec != null && !keys.isEmpty()) {
            throw new InputException("image-tensor: give option spec or the preprocess keys, not both (got spec and "
                    + String.join(", ", keys) + ")");
        }
        if (spec != null) {
            String text = spec.strip().startsWith("{") ? spec : storage.readString(storage.path("image-tensor option spec", spec));
            return ImagePreprocessor.forModel(SpecParser.parse(text));
        }
        if (keys.isEmpty()) {
            throw new InputException("image-tensor: say how to preprocess the images: option spec (a spec with a"
                    + " \"preprocess\" section, or its path), or the preprocess keys as options, e.g. resize=256,"
                    + " center_crop=224, channels=RGB");
        }
        ObjectNode section = JSON.createObjectNode();
        for (String key : keys) {
            String value = lower.get(key).strip();
            if (TEXT_KEYS.contains(key)) {
                section.put(key, value);
                continue;
            }
            try {
                section.set(key, JSON.readTree(value));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new InputException("image-tensor option " + key + ": expected a number or a list like [0.5, 0.5, 0.5], got " + value);
            }
        }
        Preprocess preprocess = SpecParser.parsePreprocess(section);
        if (preprocess.channels() == null) {
            throw new InputException("image-tensor option channels: missing; give L, LA, RGB or RGBA");
        }
        return new ImagePreprocessor(preprocess);
    }

    private static int positiveInt(String value) {
        if (value == null) return DEFAULT_FILES_PER_PARTITION;
        try {
            int n = Integer.parseInt(value.strip());
            if (n > 0) return n;
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new InputException("image-tensor option filesPerPartition: must be a positive integer, got " + value);
    }

    private static List<String> stringList(String json) {
        try {
            JsonNode node = JSON.readTree(json);
            if (node != null && node.isArray()) {
                List<String> values = new ArrayList<>();
                for (JsonNode n : node) values.add(n.asText());
                return values;
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            // reported below
        }
        throw new InputException("image-tensor option paths: must be a JSON list of strings, got " + json);
    }
}
