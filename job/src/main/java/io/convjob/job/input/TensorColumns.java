package io.convjob.job.input;

import io.convjob.arrow.FixedShapeTensorType;
import io.convjob.error.InputException;
import io.convjob.spark.TensorSchemas;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.MetadataBuilder;
import org.apache.spark.sql.types.StructField;

/**
 * How a tensor column of a DataFrame says its sample shape, as the {@code arrow-tensor} source does: an
 * {@code array<float>} whose field metadata holds the {@code arrow.fixed_shape_tensor} JSON, e.g.
 * {@code {"shape":[3,16,16]}}, under the key {@value #SHAPE}.
 */
public final class TensorColumns {
    private TensorColumns() {}

    /** Field metadata key of the tensor type's JSON. */
    public static final String SHAPE = TensorSchemas.SHAPE_KEY;

    public static final ArrayType TYPE = TensorSchemas.TENSOR_TYPE;

    /**
     * The shape in the field's metadata, or null if it has none.
     *
     * @throws InputException if the metadata is malformed or describes a permuted (non row-major) layout
     */
    public static int[] shapeOf(StructField field) {
        Metadata metadata = field.metadata();
        if (!metadata.contains(SHAPE)) return null;
        FixedShapeTensorType type = FixedShapeTensorType.parse(metadata.getString(SHAPE));
        if (!type.isRowMajor()) {
            throw new InputException("column '" + field.name() + "': permuted tensors are not supported: " + type);
        }
        return type.shape();
    }

    /** {@code metadata} with the tensor type of {@code shape} (other keys kept). */
    public static Metadata withShape(Metadata metadata, int[] shape) {
        return new MetadataBuilder().withMetadata(metadata).putString(SHAPE, FixedShapeTensorType.of(shape).serialize()).build();
    }
}
