package io.convjob.spark;

import io.convjob.storage.OutputDirectory;
import java.util.Arrays;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.connector.write.BatchWrite;
import org.apache.spark.sql.connector.write.DataWriterFactory;
import org.apache.spark.sql.connector.write.PhysicalWriteInfo;
import org.apache.spark.sql.connector.write.WriterCommitMessage;

/**
 * The data source's write: {@link OutputDirectory}'s protocol with Spark's commit coordinator. The directory is
 * claimed (its lock taken) on the driver before any task starts, and released by the commit or abort.
 */
final class TensorBatchWrite implements BatchWrite {
    private final TensorWriteJob job;
    private final boolean overwrite;
    private OutputDirectory claimed;

    TensorBatchWrite(TensorWriteJob job, boolean overwrite) {
        this.job = job;
        this.overwrite = overwrite;
    }

    @Override
    public DataWriterFactory createBatchWriterFactory(PhysicalWriteInfo info) {
        claimed = OutputDirectory.claim(job.storage(), new Path(job.directory()), job.queryId());
        return new TensorDataWriterFactory(job);
    }

    @Override
    public boolean useCommitCoordinator() {
        return true; // at most one attempt per partition may commit
    }

    @Override
    public void commit(WriterCommitMessage[] messages) {
        new TensorCommitter(claimed).commit(Arrays.stream(messages).map(m -> (TensorCommitMessage) m).toList(), overwrite);
    }

    @Override
    public void abort(WriterCommitMessage[] messages) {
        if (claimed != null) new TensorCommitter(claimed).abort();
    }
}
