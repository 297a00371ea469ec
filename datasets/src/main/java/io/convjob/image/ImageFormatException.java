package io.convjob.image;

import io.convjob.error.InputException;

/** An image file that cannot be used: empty, not an image, truncated or corrupt, or with channels we cannot convert. */
public final class ImageFormatException extends InputException {
    /** The reason for a zero-byte file. */
    public static final String EMPTY_FILE = "empty file (0 bytes), not an image";

    private final String reason;

    public ImageFormatException(String file, String reason) {
        super(file + ": " + reason);
        this.reason = reason;
    }

    public ImageFormatException(String file, String reason, Throwable cause) {
        super(file + ": " + reason, cause);
        this.reason = reason;
    }

    /** What is wrong, without the file name (the {@code reason} column of {@code _rejected}). */
    public String reason() { return reason; }
}
