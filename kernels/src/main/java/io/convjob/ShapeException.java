package io.convjob;

import io.convjob.error.InputException;

/** An input tensor whose shape does not fit the model (rank, channels, element count). */
public class ShapeException extends InputException {
    public ShapeException(String message) { super(message); }
}
