package io.convjob.spark.image;

import io.convjob.error.InputException;
import io.convjob.storage.OutputDirectory;
import io.convjob.storage.Storage;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;

/**
 * Lists the image files a path names, through the storage seam (any Hadoop scheme, with its one-line errors): the
 * file itself, a directory's files (not recursing; names starting with {@code _} or {@code .} skipped, as Spark's
 * file sources skip them), or a glob's matching files. Every listed file is one row, empty files included (they are
 * reported as bad files, never silently dropped). A directory that a job is writing or left unfinished is refused
 * unless {@code allowIncomplete}.
 */
final class ImageFiles {
    private ImageFiles() {}

    /** The files, qualified, distinct and sorted by path. */
    static List<FileStatus> list(Storage storage, List<String> paths, boolean allowIncomplete) {
        if (paths.isEmpty()) throw new InputException("image-tensor: no path given (use load(path) or option path)");
        List<FileStatus> files = new ArrayList<>();
        for (String p : paths) {
            Path path = storage.path(p);
            boolean glob = Storage.isGlob(p);
            List<FileStatus> found = glob ? glob(storage, path) : listOne(storage, path, allowIncomplete);
            if (found.isEmpty()) throw new InputException("image-tensor: " + (glob ? "no files match " : "no files in ") + p);
            files.addAll(found);
        }
        java.util.Map<Path, FileStatus> unique = new java.util.TreeMap<>();
        for (FileStatus f : files) unique.putIfAbsent(f.getPath(), f);
        return List.copyOf(unique.values());
    }

    private static List<FileStatus> listOne(Storage storage, Path path, boolean allowIncomplete) {
        FileStatus status = storage.status(path);
        if (status == null) throw new InputException("image-tensor: " + path + ": no such file or directory");
        if (status.isFile()) return List.of(status);
        List<FileStatus> entries = storage.list(path);
        if (!allowIncomplete) {
            String reason = OutputDirectory.incompleteReason(entries);
            if (reason != null) {
                throw new InputException("image-tensor: " + path + ": " + reason
                        + " (a job is writing it or failed; read it anyway with allowIncomplete)");
            }
        }
        return entries.stream().filter(ImageFiles::isVisibleFile).toList();
    }

    private static List<FileStatus> glob(Storage storage, Path pattern) {
        List<FileStatus> files = new ArrayList<>();
        for (FileStatus match : storage.glob(pattern)) {
            if (match.isFile()) {
                if (isVisibleFile(match)) files.add(match);
            }
            else storage.list(match.getPath()).stream().filter(ImageFiles::isVisibleFile).forEach(files::add);
        }
        return files;
    }

    private static boolean isVisibleFile(FileStatus status) {
        String name = status.getPath().getName();
        return status.isFile() && !name.startsWith("_") && !name.startsWith(".");
    }

    /**
     * The files in contiguous runs, one per task: at most {@code filesPerPartition} files each, and (when there are
     * enough files) at least {@code minPartitions}, so every core has work.
     */
    static List<ImageFilePartition> partitions(List<FileStatus> files, int filesPerPartition, int minPartitions) {
        int n = files.size();
        int count = Math.max(Math.min(n, minPartitions), (n + filesPerPartition - 1) / filesPerPartition);
        List<ImageFilePartition> partitions = new ArrayList<>(count);
        for (int p = 0; p < count; p++) {
            int from = (int) ((long) n * p / count);
            int to = (int) ((long) n * (p + 1) / count);
            String[] paths = new String[to - from];
            long[] lengths = new long[to - from];
            for (int i = from; i < to; i++) {
                paths[i - from] = files.get(i).getPath().toString();
                lengths[i - from] = files.get(i).getLen();
            }
            partitions.add(new ImageFilePartition(paths, lengths));
        }
        return partitions;
    }
}
