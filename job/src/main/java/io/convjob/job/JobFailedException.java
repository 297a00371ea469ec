package io.convjob.job;

/** The Spark job failed for a reason other than bad input (the cause says which). */
public class JobFailedException extends RuntimeException {
    public JobFailedException(Throwable cause) {
        super(cause.getMessage(), cause);
    }
}
