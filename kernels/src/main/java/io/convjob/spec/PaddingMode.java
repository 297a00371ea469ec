package io.convjob.spec;

/** equinox's {@code padding_mode}: how a convolution's input is padded at its edges. */
public enum PaddingMode {
    /** {@code 1234 -> 00123400} */
    ZEROS,
    /** {@code 1234 -> 32123432} */
    REFLECT,
    /** {@code 1234 -> 11123444} */
    REPLICATE,
    /** {@code 1234 -> 34123412} */
    CIRCULAR
}
