package io.convjob.spark;

import io.convjob.arrow.FixedShapeTensorType;
import io.convjob.arrow.TensorCompression;
import io.convjob.storage.OutputDirectory;
import io.convjob.storage.Storage;
import java.io.Serializable;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.types.StructType;

/**
 * What every task of one write needs, as plain serialisable data.
 *
 * @param storage      the storage seam, with the session's Hadoop configuration
 * @param directory    the output directory (qualified)
 * @param queryId      Spark's id of the write, naming its {@code _temporary/<queryId>} directory
 * @param schema       the DataFrame's schema
 * @param column       the tensor column
 * @param tensorType   the output {@code arrow.fixed_shape_tensor} metadata JSON
 * @param rowsPerBatch rows per Arrow record batch
 * @param timeZoneId   the session time zone, for timestamp columns
 * @param compression  how record batches are compressed
 */
record TensorWriteJob(Storage storage, String directory, String queryId, StructType schema, String column, String tensorType,
                      int rowsPerBatch, String timeZoneId, TensorCompression compression) implements Serializable {

    /** The committer of a write whose directory was claimed on the driver. */
    TensorCommitter committer() {
        return new TensorCommitter(OutputDirectory.owned(storage, new Path(directory), queryId));
    }

    FixedShapeTensorType type() {
        return FixedShapeTensorType.parse(tensorType);
    }
}
