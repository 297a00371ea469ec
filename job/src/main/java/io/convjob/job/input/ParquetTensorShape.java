package io.convjob.job.input;

import io.convjob.arrow.FixedShapeTensorType;
import io.convjob.error.InputException;
import org.apache.arrow.vector.ipc.ReadChannel;
import org.apache.arrow.vector.ipc.message.MessageSerializer;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.channels.Channels;
import java.util.Base64;
import java.util.Map;

/**
 * The sample shape of a Parquet tensor column written by pyarrow: pyarrow stores the Arrow schema, base64 of an
 * IPC schema message, under the {@code ARROW:schema} key of the file metadata, and the column's
 * {@code arrow.fixed_shape_tensor} extension carries {@code {"shape": [...]}}.
 */
public final class ParquetTensorShape {
    private ParquetTensorShape() {}

    static final String ARROW_SCHEMA_KEY = "ARROW:schema";
    static final String TENSOR_EXTENSION = FixedShapeTensorType.NAME;

    /**
     * @return the shape, or null when the file has no Arrow schema or the column is not a fixed-shape tensor
     * @throws InputException if the file cannot be read or its tensor metadata is malformed
     */
    public static int[] read(Configuration conf, String file, String column) {
        Map<String, String> keyValues;
        try (ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromPath(new Path(file), conf))) {
            keyValues = reader.getFooter().getFileMetaData().getKeyValueMetaData();
        } catch (IOException e) {
            throw new InputException(file + ": cannot read Parquet footer: " + e.getMessage(), e);
        }
        return fromFooter(file, keyValues, column);
    }

    /**
     * As {@link #read}, from a footer's key-value metadata already read.
     *
     * @param file the footer's file, for messages
     */
    public static int[] fromFooter(String file, Map<String, String> keyValues, String column) {
        String encoded = keyValues.get(ARROW_SCHEMA_KEY);
        if (encoded == null) return null;
        Schema schema;
        try {
            byte[] message = Base64.getDecoder().decode(encoded);
            schema = MessageSerializer.deserializeSchema(new ReadChannel(Channels.newChannel(new ByteArrayInputStream(message))));
        } catch (IOException | RuntimeException e) {
            throw new InputException(file + ": " + ARROW_SCHEMA_KEY + " metadata is not an Arrow IPC schema: " + e.getMessage(), e);
        }
        Field field = schema.getFields().stream().filter(f -> f.getName().equals(column)).findFirst().orElse(null);
        if (field == null) return null;
        String name;
        String metadata;
        if (field.getType() instanceof ArrowType.ExtensionType ext) {
            name = ext.extensionName();
            metadata = ext.serialize();
        } else {
            name = field.getMetadata().get("ARROW:extension:name");
            metadata = field.getMetadata().get("ARROW:extension:metadata");
        }
        if (!TENSOR_EXTENSION.equals(name) || metadata == null) return null;
        return shapeFromExtension(file + ": column '" + column + "'", metadata);
    }

    private static int[] shapeFromExtension(String where, String metadata) {
        FixedShapeTensorType type;
        try {
            type = FixedShapeTensorType.parse(metadata);
        } catch (InputException e) {
            throw new InputException(where + ": " + e.getMessage(), e);
        }
        if (!type.isRowMajor()) throw new InputException(where + ": permuted tensors are not supported: " + type);
        return type.shape();
    }
}
