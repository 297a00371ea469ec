package io.convjob.spark;

import io.convjob.arrow.TensorFileReader;
import io.convjob.arrow.TensorFormatException;
import io.convjob.storage.Storage;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.types.DataTypes;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.ArrowUtils;

/**
 * Driver side: lists the files, reads each one's schema and batch count, checks that all files agree, and splits
 * them into partitions of at most {@code batchesPerPartition} batches.
 */
public record TensorScanPlanner(StructType schema, List<TensorFilePartition> partitions) {

    public static TensorScanPlanner plan(Storage storage, TensorSourceOptions options) {
        StructType schema = null;
        Path first = null;
        List<TensorFilePartition> partitions = new ArrayList<>();
        for (Path file : TensorFiles.list(storage, options.paths(), options.allowIncomplete())) {
            try (TensorFileReader reader = TensorFileReader.open(storage, file, ArrowUtils.rootAllocator(), options.column(), options.shape())) {
                StructType fileSchema = TensorSchemas.toSpark(reader.schema(), options.column(), reader.tensorType());
                if (schema == null) {
                    schema = fileSchema;
                    first = file;
                } else if (!schema.equals(fileSchema)) {
                    throw new TensorFormatException(file + ": schema " + fileSchema.simpleString() + " " + shapeOf(fileSchema, options)
                            + " differs from " + first + ": " + schema.simpleString() + " " + shapeOf(schema, options));
                }
                int batches = reader.batchCount();
                String path = file.toString();
                if (batches < 0) {
                    partitions.add(new TensorFilePartition(path, 0, TensorFilePartition.WHOLE_STREAM));
                }
                for (int b = 0; b < batches; b += options.batchesPerPartition()) {
                    partitions.add(new TensorFilePartition(path, b, Math.min(options.batchesPerPartition(), batches - b)));
                }
            }
        }
        if (schema != null && options.fileColumn() != null) schema = schema.add(options.fileColumn(), DataTypes.StringType, false);
        return new TensorScanPlanner(schema, List.copyOf(partitions));
    }

    private static String shapeOf(StructType schema, TensorSourceOptions options) {
        return schema.apply(options.column()).metadata().json();
    }
}
