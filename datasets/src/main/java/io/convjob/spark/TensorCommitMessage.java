package io.convjob.spark;

/** A committed task's file under {@code _temporary}, which the job commit moves into place. */
public record TensorCommitMessage(int partitionId, long taskId, String file, long rows) implements java.io.Serializable {
}
