package io.convjob.spark;

import io.convjob.storage.OutputDirectory;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.fs.Path;

/**
 * The job side of the commit protocol ({@link OutputDirectory}), shared by the data source's writes and the
 * file-to-file job of the job module ({@code io.convjob.job.TensorFileJob}): task attempts write {@link #taskFile}s under {@code _temporary/<queryId>/}; {@link #commit}
 * moves exactly one file per partition, the one named by the committed attempt's message, to
 * {@code part-<partition>-<taskId>.arrow}, whatever attempts were retried or speculated.
 */
public record TensorCommitter(OutputDirectory output) implements java.io.Serializable {

    public String queryId() {
        return output.jobId();
    }

    /** Where a task attempt writes before the job commits. */
    public Path taskFile(int partitionId, long taskId) {
        return output.taskFile(partitionId, taskId);
    }

    public void commit(List<TensorCommitMessage> messages, boolean overwrite) {
        output.commit(staged(messages), overwrite);
    }

    /** The committed attempts' files and their final names, one per partition. */
    static Map<Path, String> staged(List<TensorCommitMessage> messages) {
        Map<Path, String> staged = new LinkedHashMap<>();
        Set<Integer> shipped = new HashSet<>();
        for (TensorCommitMessage message : messages) {
            if (message == null || !shipped.add(message.partitionId())) continue; // never ship a partition twice
            staged.put(new Path(message.file()), OutputDirectory.partName(message.partitionId(), message.taskId()));
        }
        return staged;
    }

    public void abort() {
        output.abort();
    }
}
