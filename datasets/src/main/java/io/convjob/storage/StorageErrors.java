package io.convjob.storage;

import io.convjob.error.InputException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;

/** Storage failures as one line naming the path and the cause, for the user (exit code 2). */
public final class StorageErrors {
    private StorageErrors() {}

    /** {@code where: cause}, the cause read from the exception chain (Hadoop's and the AWS SDK's alike). */
    public static InputException of(String where, Throwable e) {
        return new InputException(where + ": " + cause(e), e);
    }

    static String cause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String name = t.getClass().getName();
            if (t instanceof FileNotFoundException || t instanceof NoSuchFileException) return "no such file or directory";
            if (t instanceof AccessDeniedException || name.endsWith("AccessControlException")) {
                return "permission denied (" + firstLine(t.getMessage()) + ")";
            }
            if (name.endsWith("UnknownStoreException")) return "the bucket does not exist (" + firstLine(t.getMessage()) + ")";
            if (t instanceof FileAlreadyExistsException || name.endsWith("FileAlreadyExistsException")) {
                return "already exists";
            }
            if (t instanceof ConnectException || t instanceof NoRouteToHostException) {
                return "cannot connect (" + firstLine(t.getMessage()) + ")";
            }
            if (t instanceof UnknownHostException) return "unknown host " + firstLine(t.getMessage());
        }
        return firstLine(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
    }

    private static String firstLine(String s) {
        if (s == null) return "";
        int nl = s.indexOf('\n');
        String line = nl < 0 ? s : s.substring(0, nl);
        return line.length() > 300 ? line.substring(0, 300) + "..." : line.strip();
    }

    /** For callers that must rethrow an IOException from a lambda. */
    static InputException of(String where, IOException e) {
        return of(where, (Throwable) e);
    }
}
