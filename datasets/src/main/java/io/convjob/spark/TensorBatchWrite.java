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
import org.apache.spark.sql.connector.write.BatchWrite;
import org.apache.spark.sql.connector.write.DataWriterFactory;
import org.apache.spark.sql.connector.write.PhysicalWriteInfo;
import org.apache.spark.sql.connector.write.WriterCommitMessage;

/**
 * The job side of the commit protocol. Tasks write under {@code <dir>/_temporary/<queryId>/}; {@link #commit}
 * moves exactly the files named by the committed tasks' messages (one per partition) to
 * {@code part-<partition>-<taskId>.arrow}, removes everything else under the query's temporary directory (failed
 * or speculative attempts), and writes {@code _SUCCESS}; {@link #abort} deletes the query's temporary files.
 * Overwrite deletes the directory's previous {@code *.arrow} files and {@code _SUCCESS} just before the moves.
 */
final class TensorBatchWrite implements BatchWrite {
    static final String SUCCESS = "_SUCCESS";

    private final TensorWriteJob job;
    private final boolean overwrite;

    TensorBatchWrite(TensorWriteJob job, boolean overwrite) {
        this.job = job;
        this.overwrite = overwrite;
    }

    @Override
    public DataWriterFactory createBatchWriterFactory(PhysicalWriteInfo info) {
        return new TensorDataWriterFactory(job);
    }

    @Override
    public boolean useCommitCoordinator() {
        return true; // at most one attempt per partition may commit
    }

    @Override
    public void commit(WriterCommitMessage[] messages) {
        Path dir = job.outputDir();
        try {
            Files.createDirectories(dir);
            if (overwrite) deletePreviousOutput(dir);
            Files.deleteIfExists(dir.resolve(SUCCESS));
            Set<Integer> shipped = new HashSet<>();
            for (WriterCommitMessage m : messages) {
                TensorCommitMessage message = (TensorCommitMessage) m;
                if (message == null || !shipped.add(message.partitionId())) continue; // never ship a partition twice
                Files.move(Path.of(message.file()), target(dir, message), StandardCopyOption.ATOMIC_MOVE);
            }
            deleteTemporary();
            Files.createFile(dir.resolve(SUCCESS));
        } catch (IOException e) {
            throw new UncheckedIOException("arrow-tensor: cannot commit the write to " + dir, e);
        }
    }

    /** {@code part-00003-17.arrow}; in append mode a name already taken gets the query id too. */
    private Path target(Path dir, TensorCommitMessage message) {
        String base = String.format("part-%05d-%d", message.partitionId(), message.taskId());
        Path target = dir.resolve(base + ".arrow");
        return Files.exists(target) ? dir.resolve(base + "-" + job.queryId() + ".arrow") : target;
    }

    @Override
    public void abort(WriterCommitMessage[] messages) {
        try {
            for (WriterCommitMessage m : messages) {
                if (m instanceof TensorCommitMessage message) Files.deleteIfExists(Path.of(message.file()));
            }
            deleteTemporary();
        } catch (IOException e) {
            throw new UncheckedIOException("arrow-tensor: cannot clean up the aborted write to " + job.outputDir(), e);
        }
    }

    private void deleteTemporary() throws IOException {
        Path query = job.temporaryDir();
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

    private static void deletePreviousOutput(Path dir) throws IOException {
        List<Path> previous;
        try (Stream<Path> entries = Files.list(dir)) {
            previous = entries.filter(p -> TensorFiles.isDataFile(p)).toList();
        }
        for (Path p : previous) Files.delete(p);
    }
}
