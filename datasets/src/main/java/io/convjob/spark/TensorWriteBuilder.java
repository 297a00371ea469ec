package io.convjob.spark;

import io.convjob.arrow.FixedShapeTensorType;
import io.convjob.error.InputException;
import io.convjob.storage.Storage;
import org.apache.hadoop.fs.Path;
import java.util.Arrays;
import org.apache.spark.sql.connector.write.BatchWrite;
import org.apache.spark.sql.connector.write.LogicalWriteInfo;
import org.apache.spark.sql.connector.write.SupportsTruncate;
import org.apache.spark.sql.connector.write.Write;
import org.apache.spark.sql.connector.write.WriteBuilder;
import org.apache.spark.sql.internal.SQLConf;
import org.apache.spark.sql.types.StructType;

/**
 * Resolves a write on the driver: output directory, tensor column and its shape (option {@code shape}, else the
 * column's {@value TensorSchemas#SHAPE_KEY} metadata); {@link #truncate()} marks an overwrite.
 */
final class TensorWriteBuilder implements WriteBuilder, SupportsTruncate {
    private final LogicalWriteInfo info;
    private final TensorSourceOptions options;
    private boolean truncate;

    TensorWriteBuilder(LogicalWriteInfo info, TensorSourceOptions options) {
        this.info = info;
        this.options = options;
    }

    @Override
    public WriteBuilder truncate() {
        truncate = true;
        return this;
    }

    @Override
    public Write build() {
        if (options.paths().size() != 1) throw new InputException("arrow-tensor: write needs exactly one path, got " + options.paths());
        Storage storage = ArrowTensorSource.storage();
        Path dir = storage.qualify(storage.path(options.paths().get(0)));
        if (options.errorIfExists() && TensorFiles.hasDataFiles(storage, dir)) {
            throw new InputException("arrow-tensor: output path " + options.paths().get(0) + " already holds Arrow files (errorIfExists=true)");
        }
        StructType schema = info.schema();
        int index = TensorSchemas.tensorIndex(schema, options.column());
        FixedShapeTensorType fromMetadata = TensorSchemas.tensorTypeOf(schema.fields()[index]);
        FixedShapeTensorType type;
        if (options.shape() != null) {
            type = fromMetadata != null ? fromMetadata.withShape(options.shape()) : options.shapeType();
        } else if (fromMetadata != null) {
            type = fromMetadata;
        } else {
            throw new InputException("arrow-tensor: no shape for column '" + options.column()
                    + "': set option shape (e.g. [3,16,16]) or the column metadata '" + TensorSchemas.SHAPE_KEY + "'");
        }
        if (!type.isRowMajor()) {
            throw new InputException("arrow-tensor: column '" + options.column() + "' has permutation "
                    + Arrays.toString(type.permutation()) + "; only row-major tensors can be written");
        }
        TensorWriteJob job = new TensorWriteJob(storage,
                dir.toString(), info.queryId(), schema,
                options.column(), type.serialize(), options.rowsPerBatch(), SQLConf.get().sessionLocalTimeZone());
        boolean overwrite = truncate;
        return new Write() {
            @Override
            public BatchWrite toBatch() {
                return new TensorBatchWrite(job, overwrite);
            }

            @Override
            public String description() {
                return ArrowTensorSource.SHORT_NAME + " write to " + job.directory();
            }
        };
    }
}
