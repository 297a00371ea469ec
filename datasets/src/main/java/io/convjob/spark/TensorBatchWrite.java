package io.convjob.spark;

import java.util.Arrays;
import org.apache.spark.sql.connector.write.BatchWrite;
import org.apache.spark.sql.connector.write.DataWriterFactory;
import org.apache.spark.sql.connector.write.PhysicalWriteInfo;
import org.apache.spark.sql.connector.write.WriterCommitMessage;

/** The data source's write: {@link TensorCommitter}'s protocol with Spark's commit coordinator. */
final class TensorBatchWrite implements BatchWrite {
    private final TensorWriteJob job;
    private final boolean overwrite;

    TensorBatchWrite(TensorWriteJob job, boolean overwrite) {
        this.job = job;
        this.overwrite = overwrite;
    }

    @Override
    public DataWriterFactory createBatchWriterFactory(PhysicalWriteInfo info) {
        return new TensorDataWriterFactory(job);
    }

    @Override
    public boolean useCommitCoordinator() {
        return true; // at most one attempt per partition may commit
    }

    @Override
    public void commit(WriterCommitMessage[] messages) {
        job.committer().commit(Arrays.stream(messages).map(m -> (TensorCommitMessage) m).toList(), overwrite);
    }

    @Override
    public void abort(WriterCommitMessage[] messages) {
        job.committer().abort(Arrays.stream(messages)
                .filter(m -> m instanceof TensorCommitMessage).map(m -> (TensorCommitMessage) m).toList());
    }
}
