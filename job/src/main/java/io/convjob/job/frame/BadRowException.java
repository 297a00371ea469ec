package io.convjob.job.frame;

import io.convjob.error.InputException;

/** A row whose tensor is null, holds a null value or has the wrong length for the declared shape. */
public class BadRowException extends InputException {
    public BadRowException(String message) { super(message); }
}
