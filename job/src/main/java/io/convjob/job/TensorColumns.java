package io.convjob.job;

import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.MetadataBuilder;
import org.apache.spark.sql.types.StructField;

/** How a tensor column of a DataFrame says its sample shape: an {@code array<float>} with the shape in its metadata. */
public final class TensorColumns {
    private TensorColumns() {}

    /** Metadata key of the sample shape {@code (channels, *spatial)}, a list of longs. */
    public static final String SHAPE = "shape";

    public static final ArrayType TYPE = DataTypes.createArrayType(DataTypes.FloatType, false);

    /** The shape in the field's metadata, or null if it has none. */
    public static int[] shapeOf(StructField field) {
        Metadata metadata = field.metadata();
        if (!metadata.contains(SHAPE)) return null;
        long[] dims = metadata.getLongArray(SHAPE);
        int[] shape = new int[dims.length];
        for (int i = 0; i < dims.length; i++) shape[i] = Math.toIntExact(dims[i]);
        return shape;
    }

    /** {@code metadata} with the shape set (other keys kept). */
    public static Metadata withShape(Metadata metadata, int[] shape) {
        long[] dims = new long[shape.length];
        for (int i = 0; i < shape.length; i++) dims[i] = shape[i];
        return new MetadataBuilder().withMetadata(metadata).putLongArray(SHAPE, dims).build();
    }
}
