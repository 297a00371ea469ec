package io.convjob.plan;

import io.convjob.error.InputException;

/** A size beyond Java's limits or a memory estimate beyond the budget: bad input (exit 2), one line with the fix. */
public final class ResourceLimitException extends InputException {
    public ResourceLimitException(String message) { super(message); }
}
