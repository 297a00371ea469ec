package io.convjob.spark;

import io.convjob.arrow.TensorFileReader;
import io.convjob.arrow.TensorFormatException;
import io.convjob.storage.Storage;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.types.DataTypes;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.internal.SQLConf;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.ArrowUtils;

/**
 * Driver side: lists the files, reads each one's schema and batch count, checks that all files agree, and splits
 * them into partitions of at most {@code batchesPerPartition} batches.
 */
public record TensorScanPlanner(StructType schema, List<TensorFilePartition> partitions) {

    public static TensorScanPlanner plan(Storage storage, TensorSourceOptions options) {
        return planFiles(storage, options);
    }

    /**
     * {@link #plan} for a job that reads the files itself, not through Spark SQL ({@code run}'s file-to-file path).
     * Spark's Arrow type mapping reads the SQL conf, and on the driver the first read of a session's SQL conf builds
     * Spark SQL's shared state (warehouse directory, file systems, URL handlers): measured, a quarter of the driver's
     * time before a session's first file-to-file job, for nothing that job uses. Here the mapped schema only checks
     * that the files agree with each other, which any one conf does alike, so the mapping reads Spark's defaults.
     */
    public static TensorScanPlanner planOutsideSql(Storage storage, TensorSourceOptions options) {
        return SQLConf.withExistingConf(new SQLConf(), () -> planFiles(storage, options));
    }

    /**
     * The tensor shape of the first file {@link #plan} would read, from its schema alone (no other file is opened or
     * checked); bad input (no file, an unreadable one) throws as {@link #plan} does.
     */
    public static int[] firstFileShape(Storage storage, TensorSourceOptions options) {
        for (Path file : TensorFiles.list(storage, options.paths(), options.allowIncomplete())) {
            try (TensorFileReader reader = TensorFileReader.open(storage, file, ArrowUtils.rootAllocator(), options.column(), options.shape())) {
                return reader.tensorType().shape();
            }
        }
        return null; // not reached: the listing refuses an input without files
    }

    private static TensorScanPlanner planFiles(Storage storage, TensorSourceOptions options) {
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
