package io.convjob.io;

import io.convjob.error.InputException;

/**
 * A weight or tensor file (safetensors, .npy, .eqx) that is malformed or uses something we do not support.
 * The message is one line led by the file, e.g.
 * {@code w.safetensors: tensor 'weight' has dtype I32; supported: F32, F16, BF16, F64}.
 */
public class WeightFormatException extends InputException {
    public WeightFormatException(String message) { super(message); }

    /** {@code source: detail}, the one form every reader uses. */
    static WeightFormatException of(Object source, String detail) {
        return new WeightFormatException(source + ": " + detail);
    }
}
