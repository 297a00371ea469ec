package io.convjob.spark;

import io.convjob.arrow.FixedShapeTensorType;
import io.convjob.arrow.TensorCompression;
import io.convjob.arrow.TensorFileReader;
import io.convjob.error.InputException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The {@code arrow-tensor} options, parsed once into typed fields.
 *
 * @param paths               {@code path} (or Spark's JSON {@code paths} list): files, directories or globs
 * @param column              {@code column}: the tensor column (default {@code tensor})
 * @param shape               {@code shape}, e.g. {@code [3,16,16]}: per-row shape; on read for plain list columns,
 *                            on write when the column metadata has none; null when not given
 * @param batchesPerPartition {@code batchesPerPartition}: record batches per input partition (default: whole file)
 * @param rowsPerBatch        {@code rowsPerBatch}: rows per record batch written; 0 (the default) for
 *                            {@link #defaultRowsPerBatch}
 * @param errorIfExists       {@code errorIfExists}: a write fails if the directory already holds Arrow files
 *                            (default false; Spark 4.2 refuses SaveMode.ErrorIfExists for path-based V2 sources)
 * @param allowIncomplete     {@code allowIncomplete}: read a directory that a job is writing or left unfinished
 *                            ({@code _temporary}, a lock, or part files without {@code _SUCCESS}); default false
 * @param fileColumn          {@code fileColumn}: add a string column of this name holding each row's file (for
 *                            messages and {@code _rejected}); null for none
 * @param compression         {@code compression}: {@code none} (default), {@code lz4} or {@code zstd}, how written
 *                            record batches are compressed (as {@code apply --compression}); reads take any
 */
public record TensorSourceOptions(List<String> paths, String column, int[] shape, int batchesPerPartition, int rowsPerBatch,
                                  boolean errorIfExists, boolean allowIncomplete, String fileColumn, TensorCompression compression)
        implements Serializable {
    public static final String PATH = "path";
    public static final String PATHS = "paths";
    public static final String COLUMN = "column";
    public static final String SHAPE = "shape";
    public static final String BATCHES_PER_PARTITION = "batchesPerPartition";
    public static final String ROWS_PER_BATCH = "rowsPerBatch";
    public static final String ERROR_IF_EXISTS = "errorIfExists";
    public static final String ALLOW_INCOMPLETE = "allowIncomplete";
    public static final String FILE_COLUMN = "fileColumn";
    public static final String COMPRESSION = "compression";
    /** The most rows a written record batch holds by default. */
    public static final int DEFAULT_ROWS_PER_BATCH = 1024;
    /**
     * Tensor bytes a written record batch holds by default at most: its buffers then stay within one chunk of Arrow's
     * pooled allocator (rounded up to a power of two with the validity bits), so a task reuses memory the previous
     * one freed instead of touching fresh pages (slow on these VMs) for every file.
     */
    public static final long DEFAULT_BATCH_BYTES = 2L << 20;

    private static final ObjectMapper JSON = new ObjectMapper();

    public TensorSourceOptions {
        paths = List.copyOf(paths);
        shape = shape == null ? null : shape.clone();
        java.util.Objects.requireNonNull(compression, "compression");
    }

    /** Parses options; keys are matched case-insensitively, as Spark's option maps are. */
    public static TensorSourceOptions parse(Map<String, String> options) {
        Map<String, String> lower = new java.util.HashMap<>();
        options.forEach((k, v) -> lower.put(k.toLowerCase(java.util.Locale.ROOT), v));
        List<String> paths = new ArrayList<>();
        if (lower.containsKey(PATH)) paths.add(lower.get(PATH));
        if (lower.containsKey(PATHS)) paths.addAll(stringList(PATHS, lower.get(PATHS)));
        String column = lower.getOrDefault(COLUMN, TensorFileReader.DEFAULT_COLUMN);
        int[] shape = lower.containsKey(SHAPE.toLowerCase()) ? parseShape(lower.get(SHAPE.toLowerCase())) : null;
        int batches = positiveInt(BATCHES_PER_PARTITION, lower.get(BATCHES_PER_PARTITION.toLowerCase()), Integer.MAX_VALUE);
        int rows = positiveInt(ROWS_PER_BATCH, lower.get(ROWS_PER_BATCH.toLowerCase()), 0);
        boolean errorIfExists = bool(ERROR_IF_EXISTS, lower);
        boolean allowIncomplete = bool(ALLOW_INCOMPLETE, lower);
        String fileColumn = lower.get(FILE_COLUMN.toLowerCase());
        TensorCompression compression = compression(lower.get(COMPRESSION));
        return new TensorSourceOptions(paths, column, shape, batches, rows, errorIfExists, allowIncomplete, fileColumn, compression);
    }

    /**
     * Rows per written record batch when the option is not given: {@value #DEFAULT_ROWS_PER_BATCH}, or fewer so a
     * batch's tensors take at most {@link #DEFAULT_BATCH_BYTES} (at least one row).
     *
     * @param elementCount floats per row of the tensor column
     */
    public static int defaultRowsPerBatch(int elementCount) {
        long rowBytes = Math.max(1L, (long) elementCount * Float.BYTES);
        return (int) Math.max(1, Math.min(DEFAULT_ROWS_PER_BATCH, DEFAULT_BATCH_BYTES / rowBytes));
    }

    /** Options to list and read {@code paths} as the job does: whole files, the given column and shape. */
    public static TensorSourceOptions forPaths(List<String> paths, String column, int[] shape, boolean allowIncomplete) {
        return new TensorSourceOptions(paths, column, shape, Integer.MAX_VALUE, DEFAULT_ROWS_PER_BATCH, false, allowIncomplete, null,
                TensorCompression.NONE);
    }

    /** Parsed as {@code apply --compression} parses it, so both say the same about a bad value. */
    private static TensorCompression compression(String value) {
        if (value == null) return TensorCompression.NONE;
        try {
            return TensorCompression.parse(value);
        } catch (IllegalArgumentException e) {
            throw new InputException("arrow-tensor option " + e.getMessage());
        }
    }

    private static boolean bool(String name, Map<String, String> lower) {
        String value = lower.getOrDefault(name.toLowerCase(), "false").strip();
        if (!value.equalsIgnoreCase("true") && !value.equalsIgnoreCase("false")) {
            throw new InputException("arrow-tensor option " + name + ": must be true or false, got " + value);
        }
        return Boolean.parseBoolean(value);
    }

    /** {@code [3,16,16]} or {@code 3,16,16}. */
    public static int[] parseShape(String text) {
        String body = text.strip();
        if (body.startsWith("[") && body.endsWith("]")) body = body.substring(1, body.length() - 1);
        try {
            int[] shape = body.isBlank() ? new int[0] : Arrays.stream(body.split(",")).mapToInt(s -> Integer.parseInt(s.strip())).toArray();
            for (int d : shape) if (d < 0) throw new NumberFormatException();
            return shape;
        } catch (NumberFormatException e) {
            throw new InputException("arrow-tensor option shape: must be a list of non-negative integers like [3,16,16], got " + text);
        }
    }

    /** The tensor type named by the {@code shape} option. */
    public FixedShapeTensorType shapeType() {
        return shape == null ? null : new FixedShapeTensorType(shape);
    }

    private static int positiveInt(String name, String value, int absent) {
        if (value == null) return absent;
        try {
            int n = Integer.parseInt(value.strip());
            if (n > 0) return n;
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new InputException("arrow-tensor option " + name + ": must be a positive integer, got " + value);
    }

    private static List<String> stringList(String name, String json) {
        try {
            JsonNode node = JSON.readTree(json);
            List<String> values = new ArrayList<>();
            if (node != null && node.isArray()) {
                for (JsonNode n : node) values.add(n.asText());
                return values;
            }
        } catch (JsonProcessingException e) {
            // reported below
        }
        throw new InputException("arrow-tensor option " + name + ": must be a JSON list of strings, got " + json);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorSourceOptions t && paths.equals(t.paths) && column.equals(t.column)
                && Arrays.equals(shape, t.shape) && batchesPerPartition == t.batchesPerPartition && rowsPerBatch == t.rowsPerBatch
                && errorIfExists == t.errorIfExists && allowIncomplete == t.allowIncomplete
                && java.util.Objects.equals(fileColumn, t.fileColumn) && compression == t.compression;
    }

    @Override
    public int hashCode() {
        return 31 * paths.hashCode() + column.hashCode() + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return "TensorSourceOptions[paths=" + paths + ", column=" + column + ", shape=" + Arrays.toString(shape)
                + ", batchesPerPartition=" + batchesPerPartition + ", rowsPerBatch=" + rowsPerBatch
                + ", errorIfExists=" + errorIfExists + ", allowIncomplete=" + allowIncomplete + ", fileColumn=" + fileColumn
                + ", compression=" + compression.optionName() + "]";
    }
}
