package io.convjob.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The job side of the commit protocol, shared by the data source's writes and the file-to-file job of the job
 * module ({@code io.convjob.job.TensorFileJob}). Task attempts write under {@code <dir>/_temporary/<queryId>/}; {@link #commit} moves exactly the files named by the committed
 * tasks' messages (one per partition) to {@code part-<partition>-<taskId>.arrow}, removes everything else under the
 * query's temporary directory (failed or speculative attempts), and writes {@code _SUCCESS}; {@link #abort} deletes
 * the query's temporary files. Overwrite deletes the directory's previous data files just before the moves.
 */
public record TensorCommitter(String directory, String queryId) implements java.io.Serializable {
    static final String SUCCESS = "_SUCCESS";

    Path outputDir() {
        return Path.of(directory);
    }

    /** {@code <dir>/_temporary/<queryId>}: every attempt's files, removed by job commit or abort. */
    Path temporaryDir() {
        return outputDir().resolve("_temporary").resolve(queryId);
    }

    /** Where a task attempt writes before the job commits. */
    public Path taskFile(int partitionId, long taskId) {
        return temporaryDir().resolve(String.format("part-%05d-%d.arrow", partitionId, taskId));
    }

    public void commit(List<TensorCommitMessage> messages, boolean overwrite) {
        try {
            Path outputDir = outputDir();
            Files.createDirectories(outputDir);
            if (overwrite) deletePreviousOutput();
            Files.deleteIfExists(outputDir.resolve(SUCCESS));
            Set<Integer> shipped = new HashSet<>();
            for (TensorCommitMessage message : messages) {
                if (message == null || !shipped.add(message.partitionId())) continue; // never ship a partition twice
                Files.move(Path.of(message.file()), target(message), StandardCopyOption.ATOMIC_MOVE);
            }
            deleteTemporary();
            Files.createFile(outputDir.resolve(SUCCESS));
        } catch (IOException e) {
            throw new UncheckedIOException("arrow-tensor: cannot commit the write to " + directory, e);
        }
    }

    /** {@code part-00003-17.arrow}; in append mode a name already taken gets the query id too. */
    private Path target(TensorCommitMessage message) {
        String base = String.format("part-%05d-%d", message.partitionId(), message.taskId());
        Path outputDir = outputDir();
        Path target = outputDir.resolve(base + ".arrow");
        return Files.exists(target) ? outputDir.resolve(base + "-" + queryId + ".arrow") : target;
    }

    public void abort(List<TensorCommitMessage> messages) {
        try {
            for (TensorCommitMessage message : messages) {
                if (message != null) Files.deleteIfExists(Path.of(message.file()));
            }
            deleteTemporary();
        } catch (IOException e) {
            throw new UncheckedIOException("arrow-tensor: cannot clean up the aborted write to " + directory, e);
        }
    }

    private void deleteTemporary() throws IOException {
        Path query = temporaryDir();
        if (Files.exists(query)) {
            try (Stream<Path> all = Files.walk(query)) {
                for (Path p : all.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
        }
        try {
            Files.deleteIfExists(query.getParent()); // only when no other write is in flight
        } catch (DirectoryNotEmptyException e) {
            // another query's temporary files: theirs to clean
        }
    }

    private void deletePreviousOutput() throws IOException {
        List<Path> previous;
        try (Stream<Path> entries = Files.list(outputDir())) {
            previous = entries.filter(TensorFiles::isDataFile).toList();
        }
        for (Path p : previous) Files.delete(p);
    }
}
