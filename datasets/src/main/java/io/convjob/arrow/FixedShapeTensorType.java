package io.convjob.arrow;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Objects;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.ExtensionTypeRegistry;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;

/**
 * Arrow's canonical {@code arrow.fixed_shape_tensor} extension type: every row is one tensor of the same
 * {@link #shape()}, stored row-major as {@code FixedSizeList<float32>[product(shape)]}.
 *
 * <p>Metadata is compact JSON written in Arrow C++/pyarrow's key order: {@code shape}, then {@code permutation}
 * and {@code dim_names} when present, e.g. {@code {"shape":[3,8,8],"permutation":[0,1,2]}}. Parsing is strict:
 * a missing or ill-typed field, a rank mismatch or a shape whose product differs from the list size throws
 * {@link TensorFormatException} naming the field.
 */
public final class FixedShapeTensorType extends ArrowType.ExtensionType {
    /** The extension name in {@code ARROW:extension:name}. */
    public static final String NAME = "arrow.fixed_shape_tensor";
    /** The storage list's child field name, as pyarrow writes it. */
    public static final String ITEM_FIELD = "item";
    /** The element type this project computes with. */
    public static final ArrowType.FloatingPoint FLOAT32 = new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE);

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();
    private static final JsonFactory JSON_FACTORY = new JsonFactory();
    private static final String PREFIX = NAME + " metadata: ";

    private final int[] shape;
    private final java.util.List<String> dimNames;  // null when absent
    private final int[] permutation;      // null when absent
    private final int elementCount;

    /** A tensor type with only a shape (no dim_names, no permutation). */
    public FixedShapeTensorType(int[] shape) {
        this(shape, null, null);
    }

    /**
     * @param shape       the logical shape of one row, each entry >= 0
     * @param dimNames    one name per dimension, or null
     * @param permutation a permutation of {@code 0..rank-1} giving the physical layout, or null
     * @throws TensorFormatException if a dimension is negative, the element count overflows an int, or
     *                               dimNames/permutation do not match the rank
     */
    public FixedShapeTensorType(int[] shape, java.util.List<String> dimNames, int[] permutation) {
        Objects.requireNonNull(shape, "shape");
        this.shape = shape.clone();
        long count = 1;
        for (int d : shape) {
            if (d < 0) throw new TensorFormatException(PREFIX + "shape: dimensions must be >= 0, got " + Arrays.toString(shape));
            count *= d;
            if (count > Integer.MAX_VALUE) {
                throw new TensorFormatException(PREFIX + "shape: element count must fit in an int, got " + Arrays.toString(shape));
            }
        }
        this.elementCount = (int) count;
        if (dimNames != null && dimNames.size() != shape.length) {
            throw new TensorFormatException(PREFIX + "dim_names: must have one name per dimension (rank "
                    + shape.length + "), got " + dimNames.size());
        }
        this.dimNames = dimNames == null ? null : java.util.List.copyOf(dimNames);
        if (permutation != null) checkPermutation(permutation, shape.length);
        this.permutation = permutation == null ? null : permutation.clone();
    }

    /** Shorthand for {@code new FixedShapeTensorType(shape)}. */
    public static FixedShapeTensorType of(int... shape) {
        return new FixedShapeTensorType(shape);
    }

    /**
     * Registers this extension with Arrow's global {@link ExtensionTypeRegistry} unless a type of this name is
     * already there, so IPC readers turn the storage back into this type. Idempotent; call from entry points.
     */
    public static void ensureRegistered() {
        if (!(ExtensionTypeRegistry.lookup(NAME) instanceof FixedShapeTensorType)) {
            ExtensionTypeRegistry.register(new FixedShapeTensorType(new int[0]));
        }
    }

    /** The logical shape of one row (a copy). */
    public int[] shape() { return shape.clone(); }
    public int rank() { return shape.length; }
    /** product(shape): the storage list size. */
    public int elementCount() { return elementCount; }
    /** The dimension names, or null when the metadata has none. */
    public java.util.List<String> dimNames() { return dimNames; }
    /** The permutation (a copy), or null when the metadata has none. */
    public int[] permutation() { return permutation == null ? null : permutation.clone(); }

    /** True when rows are laid out row-major in the logical order: no permutation or the identity. */
    public boolean isRowMajor() {
        if (permutation == null) return true;
        for (int i = 0; i < permutation.length; i++) if (permutation[i] != i) return false;
        return true;
    }

    /**
     * The same kind of type with another shape, e.g. a model's output: dim_names kept when the rank is unchanged,
     * an identity permutation written when this type had one (as pyarrow's {@code from_numpy_ndarray} does).
     */
    public FixedShapeTensorType withShape(int[] newShape) {
        java.util.List<String> names = dimNames != null && dimNames.size() == newShape.length ? dimNames : null;
        int[] perm = null;
        if (permutation != null) {
            perm = new int[newShape.length];
            for (int i = 0; i < perm.length; i++) perm[i] = i;
        }
        return new FixedShapeTensorType(newShape, names, perm);
    }

    /** A field of this type with its float32 {@value #ITEM_FIELD} child (nullable, as pyarrow writes it). */
    public Field toField(String name, boolean nullable) {
        Field item = new Field(ITEM_FIELD, FieldType.nullable(FLOAT32), null);
        return new Field(name, new FieldType(nullable, this, null), java.util.List.of(item));
    }

    @Override
    public ArrowType storageType() {
        return new ArrowType.FixedSizeList(elementCount);
    }

    @Override
    public String extensionName() {
        return NAME;
    }

    @Override
    public boolean extensionEquals(ExtensionType other) {
        return other instanceof FixedShapeTensorType t
                && Arrays.equals(shape, t.shape)
                && Objects.equals(dimNames, t.dimNames)
                && Arrays.equals(permutation, t.permutation);
    }

    @Override
    public String serialize() {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = JSON_FACTORY.createGenerator(out)) {
            g.writeStartObject();
            g.writeArrayFieldStart("shape");
            for (int d : shape) g.writeNumber(d);
            g.writeEndArray();
            if (permutation != null) {
                g.writeArrayFieldStart("permutation");
                for (int p : permutation) g.writeNumber(p);
                g.writeEndArray();
            }
            if (dimNames != null) {
                g.writeArrayFieldStart("dim_names");
                for (String n : dimNames) g.writeString(n);
                g.writeEndArray();
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /**
     * Parses the metadata and checks it against the storage.
     *
     * @throws TensorFormatException if the storage is not a FixedSizeList, the JSON is malformed, or
     *                               product(shape) differs from the list size
     */
    @Override
    public ArrowType deserialize(ArrowType storageType, String serializedData) {
        if (!(storageType instanceof ArrowType.FixedSizeList list)) {
            throw new TensorFormatException(NAME + ": storage must be a FixedSizeList, got " + storageType);
        }
        FixedShapeTensorType type = parse(serializedData);
        if (type.elementCount != list.getListSize()) {
            throw new TensorFormatException(PREFIX + "shape: product " + type.elementCount + " of "
                    + Arrays.toString(type.shape) + " != storage list size " + list.getListSize());
        }
        return type;
    }

    /**
     * Parses {@code {"shape":[...], "dim_names":[...], "permutation":[...]}} (the last two optional; other keys
     * ignored, as Arrow C++ does).
     *
     * @throws TensorFormatException naming the field that is missing, ill-typed or of the wrong rank
     */
    public static FixedShapeTensorType parse(String json) {
        JsonNode root;
        try {
            root = json == null ? null : JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new TensorFormatException(PREFIX + "not valid JSON: " + json);
        }
        if (root == null || !root.isObject()) {
            throw new TensorFormatException(PREFIX + "must be a JSON object, got " + json);
        }
        JsonNode shapeNode = root.get("shape");
        if (shapeNode == null) throw new TensorFormatException(PREFIX + "shape: required, got " + json);
        int[] shape = intArray("shape", shapeNode);
        java.util.List<String> names = null;
        JsonNode namesNode = root.get("dim_names");
        if (namesNode != null) {
            if (!namesNode.isArray()) throw new TensorFormatException(PREFIX + "dim_names: must be an array of strings, got " + namesNode);
            names = new ArrayList<>();
            for (JsonNode n : namesNode) {
                if (!n.isTextual()) throw new TensorFormatException(PREFIX + "dim_names: must be an array of strings, got " + namesNode);
                names.add(n.textValue());
            }
        }
        JsonNode permNode = root.get("permutation");
        int[] perm = permNode == null ? null : intArray("permutation", permNode);
        return new FixedShapeTensorType(shape, names, perm);
    }

    private static int[] intArray(String field, JsonNode node) {
        if (!node.isArray()) {
            throw new TensorFormatException(PREFIX + field + ": must be an array of non-negative integers, got " + node);
        }
        int[] values = new int[node.size()];
        for (int i = 0; i < values.length; i++) {
            JsonNode v = node.get(i);
            if (!v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() < 0) {
                throw new TensorFormatException(PREFIX + field + ": must be an array of non-negative integers, got " + node);
            }
            values[i] = v.intValue();
        }
        return values;
    }

    private static void checkPermutation(int[] permutation, int rank) {
        boolean[] seen = new boolean[rank];
        boolean ok = permutation.length == rank;
        for (int i = 0; ok && i < permutation.length; i++) {
            int p = permutation[i];
            ok = p >= 0 && p < rank && !seen[p];
            if (ok) seen[p] = true;
        }
        if (!ok) {
            throw new TensorFormatException(PREFIX + "permutation: must be a permutation of 0.." + (rank - 1)
                    + " (rank " + rank + "), got " + Arrays.toString(permutation));
        }
    }

    @Override
    public FieldVector getNewVector(String name, FieldType fieldType, BufferAllocator allocator) {
        FieldType storage = new FieldType(fieldType.isNullable(), storageType(), fieldType.getDictionary(), fieldType.getMetadata());
        return new FixedShapeTensorVector(name, allocator, new FixedSizeListVector(name, allocator, storage, null), this);
    }

    @Override
    public String toString() {
        return NAME + serialize();
    }
}
