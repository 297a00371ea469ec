package io.convjob.spark;

import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.connector.write.DataWriter;
import org.apache.spark.sql.connector.write.DataWriterFactory;

/** Serialised to executors; one {@link TensorDataWriter} per task attempt. */
record TensorDataWriterFactory(TensorWriteJob job) implements DataWriterFactory {
    @Override
    public DataWriter<InternalRow> createWriter(int partitionId, long taskId) {
        return new TensorDataWriter(job, partitionId, taskId);
    }
}
