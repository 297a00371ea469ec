package io.convjob.spec;

import io.convjob.error.InputException;

/**
 * A spec equinox would reject, or one we can check at load time that equinox leaves to lax.
 * The message is one line led by the JSON path, e.g.
 * {@code layers[2].output_padding: must be < stride (elementwise), got [2] vs [2]}.
 */
public class SpecException extends InputException {
    public SpecException(String message) { super(message); }

    /**
     * This error as reported for a stack entry: the same line led by {@code path}, e.g. {@code layers[2].}
     * (the records that check themselves do not know where in a spec they sit; the parser does).
     */
    public SpecException at(String path) {
        return path.isEmpty() ? this : new SpecException(path + getMessage());
    }
}
