package io.convjob.job;

import io.convjob.error.InputException;

/** The output directory exists and the caller did not ask to overwrite it. */
public class OutputExistsException extends InputException {
    public OutputExistsException(String output) {
        super(output + ": output directory exists (use --overwrite to replace it)");
    }
}
