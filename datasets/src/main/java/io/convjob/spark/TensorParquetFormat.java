package io.convjob.spark;

import io.convjob.arrow.FixedShapeTensorType;
import org.apache.arrow.vector.ipc.WriteChannel;
import org.apache.arrow.vector.ipc.message.MessageSerializer;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.hadoop.mapreduce.Job;
import org.apache.parquet.hadoop.ParquetOutputFormat;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.execution.datasources.OutputWriterFactory;
import org.apache.spark.sql.execution.datasources.parquet.ParquetFileFormat;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.ArrowUtils;
import org.apache.spark.sql.types.Metadata;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Spark's Parquet writer (its commit protocol, any Hadoop file system), plus the Arrow schema in the file metadata
 * under {@code ARROW:schema} as pyarrow writes it: every {@code array<float>} column whose field metadata holds a
 * tensor shape (as the {@code arrow-tensor} source and the job set it) is declared there as
 * {@code arrow.fixed_shape_tensor}, so pyarrow reads it back as a tensor column with its shape, and
 * {@code convjob run} takes the files as input without {@code --shape}. Reading is Spark's Parquet reader.
 *
 * <p>{@code df.write().format("parquet-tensor").save(dir)}.
 */
public class TensorParquetFormat extends ParquetFileFormat {
    private static final long serialVersionUID = 1L;

    public static final String SHORT_NAME = "parquet-tensor";
    /** The Hadoop configuration key carrying the base64 Arrow schema from the driver to the writers. */
    static final String ARROW_SCHEMA_CONF = "convjob.parquet.arrowSchema";
    public static final String ARROW_SCHEMA_KEY = "ARROW:schema";

    @Override
    public String shortName() {
        return SHORT_NAME;
    }

    @Override
    public String toString() {
        return "ParquetTensor";
    }

    @Override
    public OutputWriterFactory prepareWrite(SparkSession spark, Job job, scala.collection.immutable.Map<String, String> options,
            StructType dataSchema) {
        OutputWriterFactory factory = super.prepareWrite(spark, job, options, dataSchema);
        job.getConfiguration().setClass(ParquetOutputFormat.WRITE_SUPPORT_CLASS, ArrowSchemaWriteSupport.class, WriteSupport.class);
        job.getConfiguration().set(ARROW_SCHEMA_CONF, encodedArrowSchema(dataSchema, spark.sessionState().conf().sessionLocalTimeZone()));
        return factory;
    }

    /**
     * The tensor's storage child exactly as a Parquet reader infers it from Spark's list ({@code element}, nullable as
     * the Spark array's elements): pyarrow restores the extension type only when the storage types are equal.
     */
    private static Field tensorField(StructField f, FixedShapeTensorType tensor) {
        boolean nullableItems = f.dataType() instanceof ArrayType a && a.containsNull();
        Field item = new Field("element", new FieldType(nullableItems, FixedShapeTensorType.FLOAT32, null), null);
        return new Field(f.name(), new FieldType(f.nullable(), tensor, null), List.of(item));
    }

    /** The Arrow schema of {@code spark}, tensor columns as {@code arrow.fixed_shape_tensor}: base64 of the IPC message. */
    public static String encodedArrowSchema(StructType spark, String timeZone) {
        List<Field> fields = new ArrayList<>();
        for (StructField f : spark.fields()) {
            FixedShapeTensorType tensor = TensorSchemas.tensorTypeOf(f);
            fields.add(tensor != null ? tensorField(f, tensor)
                    : ArrowUtils.toArrowField(f.name(), f.dataType(), f.nullable(), timeZone, false, Metadata.empty()));
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            MessageSerializer.serialize(new WriteChannel(Channels.newChannel(bytes)), new Schema(fields));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Base64.getEncoder().encodeToString(bytes.toByteArray());
    }
}
