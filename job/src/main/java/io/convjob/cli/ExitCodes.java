package io.convjob.cli;

import io.convjob.error.InputException;
import picocli.CommandLine;

import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;

/** Exit codes: 0 success, 1 internal failure, 2 bad input (spec, weights, tensor file, shape, arguments). */
public final class ExitCodes {
    public static final int OK = 0;
    public static final int INTERNAL = 1;
    public static final int BAD_INPUT = 2;

    private ExitCodes() {}

    static int of(Throwable t) {
        return isBadInput(t) ? BAD_INPUT : INTERNAL;
    }

    /** Bad input anywhere in the cause chain (Spark wraps task failures several levels deep). */
    static boolean isBadInput(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof InputException || c instanceof CommandLine.ParameterException
                    || c instanceof NoSuchFileException) {
                return true;
            }
            if (c instanceof UncheckedIOException u && u.getCause() instanceof NoSuchFileException) return true;
        }
        return false;
    }

    /** The message of the innermost bad-input cause, else of {@code t}. */
    static String message(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof InputException || c instanceof CommandLine.ParameterException) return c.getMessage();
            if (c instanceof NoSuchFileException) return c.getMessage() + ": no such file";
        }
        String m = t.getMessage();
        return t.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }
}
