package io.convjob.cli;

import io.convjob.error.InputException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;

/** Where a command writes: checked before any work, and named as the user gave it in messages. */
final class OutputLocation {
    /** The hidden temporary file a writer makes beside its target ({@code .NAME.UUID.tmp}, {@code .NAME.HEX.tmp}). */
    private static final Pattern TEMPORARY = Pattern.compile("/\\.([^/]+?)\\.(?:[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}|[0-9a-f]{1,16})\\.tmp\\b");

    private OutputLocation() {}

    /**
     * A local output must lie under a directory (its nearest existing ancestor) that can be written; other
     * storage is checked by its own create.
     */
    static void checkLocal(String option, String output) {
        if (output.contains("://") && !output.startsWith("file:")) return;
        Path p = Path.of(output.startsWith("file:") ? java.net.URI.create(output).getPath() : output).toAbsolutePath();
        Path ancestor = p.getParent();
        while (ancestor != null && !Files.exists(ancestor)) ancestor = ancestor.getParent();
        if (ancestor == null) return;
        if (!Files.isDirectory(ancestor)) {
            throw new InputException(option + " " + output + ": " + ancestor + " is not a directory");
        }
        if (!Files.isWritable(ancestor)) {
            throw new InputException(option + " " + output + ": cannot write in " + ancestor + " (permission denied)");
        }
    }

    /** A message with our temporary files' names replaced by their targets': the user named the target. */
    static String withTargets(String message) {
        return TEMPORARY.matcher(message).replaceAll("/$1");
    }
}
