package io.convjob.spark;

import io.convjob.arrow.FixedShapeTensorType;
import io.convjob.error.InputException;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.MetadataBuilder;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.ArrowUtils;

/**
 * Arrow schema to Spark schema and back. The tensor column is {@code array<float>} in Spark, its
 * {@code arrow.fixed_shape_tensor} metadata JSON kept in the field metadata under {@value #SHAPE_KEY}.
 */
public final class TensorSchemas {
    /** StructField metadata key holding the tensor type's JSON, e.g. {@code {"shape":[3,16,16]}}. */
    public static final String SHAPE_KEY = FixedShapeTensorType.NAME;
    /** The tensor column's Spark type. */
    public static final ArrayType TENSOR_TYPE = DataTypes.createArrayType(DataTypes.FloatType, false);

    private TensorSchemas() {}

    /** Spark's view of a tensor file: every Arrow column via Spark's own mapping, the tensor column as {@link #TENSOR_TYPE}. */
    public static StructType toSpark(Schema arrow, String column, FixedShapeTensorType tensorType) {
        List<StructField> fields = new ArrayList<>();
        for (Field f : arrow.getFields()) {
            if (f.getName().equals(column)) {
                fields.add(tensorField(column, f.isNullable(), tensorType));
            } else {
                fields.add(new StructField(f.getName(), ArrowUtils.fromArrowField(f), f.isNullable(), Metadata.empty()));
            }
        }
        return new StructType(fields.toArray(new StructField[0]));
    }

    /** The Spark field of a tensor column: {@code array<float>} with the tensor type's JSON in its metadata. */
    public static StructField tensorField(String name, boolean nullable, FixedShapeTensorType tensorType) {
        Metadata metadata = new MetadataBuilder().putString(SHAPE_KEY, tensorType.serialize()).build();
        return new StructField(name, TENSOR_TYPE, nullable, metadata);
    }

    /**
     * The sample shape in a tensor field's metadata, or null if it has none.
     *
     * @throws InputException if the metadata is malformed or describes a permuted (non row-major) layout
     */
    public static int[] shapeOf(StructField field) {
        FixedShapeTensorType type = tensorTypeOf(field);
        if (type == null) return null;
        if (!type.isRowMajor()) {
            throw new InputException("column '" + field.name() + "': permuted tensors are not supported: " + type);
        }
        return type.shape();
    }

    /** {@code metadata} with the tensor type of {@code shape} (other keys kept). */
    public static Metadata withShape(Metadata metadata, int[] shape) {
        return new MetadataBuilder().withMetadata(metadata).putString(SHAPE_KEY, FixedShapeTensorType.of(shape).serialize())
                .build();
    }

    /** The tensor type recorded in a Spark field's metadata, or null if it has none. */
    public static FixedShapeTensorType tensorTypeOf(StructField field) {
        return field.metadata().contains(SHAPE_KEY) ? FixedShapeTensorType.parse(field.metadata().getString(SHAPE_KEY)) : null;
    }

    /**
     * The Arrow schema written for a Spark schema: the tensor column as {@code tensorType}, every other column via
     * Spark's own mapping (as {@code toPandas}/Arrow UDFs use).
     */
    public static Schema toArrow(StructType spark, String column, FixedShapeTensorType tensorType, String timeZoneId) {
        List<Field> fields = new ArrayList<>();
        for (StructField f : spark.fields()) {
            if (f.name().equals(column)) {
                fields.add(tensorType.toField(column, f.nullable()));
            } else {
                fields.add(ArrowUtils.toArrowField(f.name(), f.dataType(), f.nullable(), timeZoneId, false, Metadata.empty()));
            }
        }
        return new Schema(fields);
    }

    /** The index of the tensor column, checking that it is an array of float. */
    public static int tensorIndex(StructType schema, String column) {
        int index = -1;
        for (int i = 0; i < schema.fields().length; i++) if (schema.fields()[i].name().equals(column)) index = i;
        if (index < 0) {
            throw new InputException("arrow-tensor: no column '" + column + "' in " + schema.simpleString());
        }
        DataType type = schema.fields()[index].dataType();
        if (!(type instanceof ArrayType array) || !array.elementType().equals(DataTypes.FloatType)) {
            throw new InputException("arrow-tensor: column '" + column + "' must be array<float>, got " + type.simpleString());
        }
        return index;
    }
}
