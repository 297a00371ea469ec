package io.convjob.error;

/**
 * Bad user input (spec, weights, tensor file, shape): the family the CLI reports as one line and exit code 2.
 * Subclasses name what was bad.
 */
public class InputException extends RuntimeException {
    public InputException(String message) { super(message); }
    public InputException(String message, Throwable cause) { super(message, cause); }
}
