package io.convjob.spark;

import io.convjob.arrow.FixedShapeTensorType;
import java.io.Serializable;
import java.nio.file.Path;
import org.apache.spark.sql.types.StructType;

/**
 * What every task of one write needs, as plain serialisable data.
 *
 * @param directory    the output directory (absolute)
 * @param queryId      Spark's id of the write, naming its {@code _temporary/<queryId>} directory
 * @param schema       the DataFrame's schema
 * @param column       the tensor column
 * @param tensorType   the output {@code arrow.fixed_shape_tensor} metadata JSON
 * @param rowsPerBatch rows per Arrow record batch
 * @param timeZoneId   the session time zone, for timestamp columns
 */
record TensorWriteJob(String directory, String queryId, StructType schema, String column, String tensorType,
                      int rowsPerBatch, String timeZoneId) implements Serializable {

    Path outputDir() {
        return Path.of(directory);
    }

    TensorCommitter committer() {
        return new TensorCommitter(directory, queryId);
    }

    FixedShapeTensorType type() {
        return FixedShapeTensorType.parse(tensorType);
    }
}
