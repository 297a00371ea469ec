package io.convjob.job;

/** What the job does with a row whose tensor is null or has the wrong length. */
public enum BadRowPolicy {
    /** Fail the job, naming the file and row id. */
    FAIL,
    /** Leave the row out of the output and record it, with the reason, under {@code DIR/_rejected}. */
    SKIP
}
