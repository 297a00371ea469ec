package io.convjob.arrow;

import io.convjob.error.InputException;

/** A tensor file or its {@code arrow.fixed_shape_tensor} metadata is malformed; the message names file, field or row. */
public class TensorFormatException extends InputException {
    public TensorFormatException(String message) { super(message); }
    public TensorFormatException(String message, Throwable cause) { super(message, cause); }
}
