package io.convjob.cli;

import io.convjob.error.InputException;
import picocli.CommandLine;

import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/**
 * Exit codes: 0 success, 1 internal failure (a bug), 2 bad input: the spec, weights, tensor files, shapes, arguments,
 * sizes or memory beyond the limits, and paths that cannot be read or written (missing, not permitted, a directory
 * where a file is wanted, unreachable storage). Everything the user fixes by changing the command or its inputs is 2.
 */
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
                    || c instanceof FileSystemException || c instanceof OutOfMemoryError) {
                return true;
            }
            if (c instanceof UncheckedIOException u && u.getCause() instanceof FileSystemException) return true;
        }
        return false;
    }

    /** The message of the innermost bad-input cause, else the root cause's class and first line. */
    static String message(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof InputException || c instanceof CommandLine.ParameterException) return c.getMessage();
            if (c instanceof FileSystemException f) return fileProblem(f);
        }
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        String m = root.getMessage();
        return root.getClass().getSimpleName() + (m == null ? "" : ": " + firstLine(m));
    }

    /** {@code /out/y.npy: permission denied}: the file and what is wrong, as the OS says it. */
    static String fileProblem(FileSystemException f) {
        String reason;
        if (f instanceof NoSuchFileException) reason = "no such file";
        else if (f instanceof AccessDeniedException) reason = "permission denied";
        else if (f instanceof FileAlreadyExistsException) reason = "already exists";
        else if (f instanceof NotDirectoryException) reason = "not a directory";
        else if (f instanceof DirectoryNotEmptyException) reason = "is a directory (not empty)";
        else reason = f.getReason() == null ? f.getClass().getSimpleName() : f.getReason().toLowerCase(java.util.Locale.ROOT);
        String file = f.getFile() == null ? "" : f.getFile();
        if (f.getOtherFile() != null && f instanceof DirectoryNotEmptyException) file = f.getOtherFile();
        return file.isEmpty() ? reason : file + ": " + reason;
    }

    static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return (nl < 0 ? s : s.substring(0, nl)).strip();
    }
}
