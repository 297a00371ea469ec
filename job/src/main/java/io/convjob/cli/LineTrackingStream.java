package io.convjob.cli;

import java.io.OutputStream;
import java.io.PrintStream;

/**
 * The process's stderr, remembering whether what was last written ended a line. Spark's console progress bar (which
 * writes to {@code System.err}) ends with a carriage return, and clearing it leaves the cursor on that line: an error
 * line printed then would follow the bar in a log, or in a terminal narrower than the bar. {@link ErrorReporter}
 * starts a new line first when this says the last line is open.
 */
final class LineTrackingStream extends PrintStream {
    private volatile boolean atLineStart = true;

    LineTrackingStream(OutputStream out) {
        super(out, true);
    }

    @Override
    public void write(int b) {
        super.write(b);
        atLineStart = b == '\n';
    }

    @Override
    public void write(byte[] bytes, int offset, int length) {
        super.write(bytes, offset, length);
        if (length > 0) atLineStart = bytes[offset + length - 1] == '\n';
    }

    /** True before anything was written and after a newline. */
    boolean atLineStart() {
        return atLineStart;
    }
}
