package io.convjob.spark;

import io.convjob.error.InputException;
import io.convjob.format.TensorFormat;
import io.convjob.storage.OutputDirectory;
import io.convjob.storage.Storage;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;

/**
 * Lists the tensor files a {@code path} names, through the storage seam (any Hadoop scheme): the file itself, a
 * directory's Arrow files (not recursing, skipping hidden and {@code _}-prefixed names such as {@code _SUCCESS} and
 * {@code _temporary}), or a glob's matches. A directory that a job is writing, or whose job died before its commit
 * finished, is refused ({@link OutputDirectory#incompleteReason}) unless {@code allowIncomplete}.
 */
final class TensorFiles {
    private TensorFiles() {}

    /** The files, qualified and sorted; fails when a path matches nothing. */
    static List<Path> list(Storage storage, List<String> paths, boolean allowIncomplete) {
        if (paths.isEmpty()) throw new InputException("arrow-tensor: no path given (use load(path) or option path)");
        List<Path> files = new ArrayList<>();
        for (String p : paths) {
            Path path = storage.path(p);
            List<Path> found = Storage.isGlob(p) ? glob(storage, path) : listOne(storage, path, allowIncomplete);
            if (found.isEmpty()) {
                throw new InputException("arrow-tensor: " + (Storage.isGlob(p) ? "no Arrow files match " : "no Arrow files in ") + p);
            }
            files.addAll(found);
        }
        return files.stream().distinct().sorted().toList();
    }

    private static List<Path> listOne(Storage storage, Path path, boolean allowIncomplete) {
        FileStatus status = storage.status(path);
        if (status == null) throw new InputException("arrow-tensor: path does not exist: " + path);
        if (status.isFile()) return List.of(status.getPath());
        List<FileStatus> entries = storage.list(path);
        if (!allowIncomplete) {
            String reason = OutputDirectory.incompleteReason(entries);
            if (reason != null) {
                throw new InputException("arrow-tensor: " + path + ": " + reason
                        + " (a job is writing it or failed; read it anyway with option allowIncomplete=true)");
            }
        }
        return entries.stream().filter(TensorFiles::isDataFile).map(FileStatus::getPath).toList();
    }

    private static List<Path> glob(Storage storage, Path pattern) {
        return storage.glob(pattern).stream().filter(FileStatus::isFile).map(FileStatus::getPath).toList();
    }

    /** True if {@code dir} is a directory holding at least one Arrow data file. */
    static boolean hasDataFiles(Storage storage, Path dir) {
        if (!storage.isDirectory(dir)) return false;
        return storage.list(dir).stream().anyMatch(TensorFiles::isDataFile);
    }

    static boolean isDataFile(FileStatus status) {
        return status.isFile() && isDataFileName(status.getPath().getName());
    }

    static boolean isDataFileName(String name) {
        return !name.startsWith(".") && !name.startsWith("_") && TensorFormat.ARROW.matches(name);
    }
}
