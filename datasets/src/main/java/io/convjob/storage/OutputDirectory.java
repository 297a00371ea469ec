package io.convjob.storage;

import io.convjob.error.InputException;
import java.io.Serializable;
import java.net.InetAddress;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;

/**
 * The commit protocol of every convjob write, on any Hadoop file system (local, HDFS, S3, ...).
 *
 * <ol>
 *   <li>{@link #claim}: the job owns the directory through a lock file {@value #LOCK} created exclusively (on
 *       local disks and HDFS; on object stores by a check then a write, see the README), naming the job; a second
 *       writer fails with one line naming the first.</li>
 *   <li>Task attempts write under {@code _temporary/<jobId>/} ({@link #taskFile}); nothing there is visible to
 *       readers, and a failed or speculative attempt's files are never moved.</li>
 *   <li>{@link #commit}: checks the lock is still this job's, removes {@value #SUCCESS}, then (overwrite) the
 *       previous data files and {@code _rejected}, moves exactly the committed files into place, removes
 *       {@code _temporary/<jobId>}, writes {@value #SUCCESS} and finally drops the lock. The old output is
 *       touched only here, after every task has finished: a job that fails before leaves it as it was.</li>
 *   <li>{@link #abort}: removes this job's temporary files, its lock, and the directory if the job created it.</li>
 * </ol>
 * Readers refuse a directory with the lock, with {@code _temporary}, or with committed part files but no
 * {@value #SUCCESS} ({@link #incompleteReason}), so a job killed during its commit is never read as complete.
 */
public final class OutputDirectory implements Serializable {
    public static final String SUCCESS = "_SUCCESS";
    public static final String TEMPORARY = "_temporary";
    public static final String LOCK = "_convjob.lock";
    public static final String REJECTED = "_rejected";
    /** The names commits give part files: {@code part-00003-17.arrow}, {@code part-00003-17-<job>.arrow}. */
    private static final Pattern COMMITTED_PART = Pattern.compile("part-\\d{5}-\\d+(-.+)?\\.arrow");

    private final Storage storage;
    private final String directory;
    private final String jobId;
    private final boolean created;

    private OutputDirectory(Storage storage, String directory, String jobId, boolean created) {
        this.storage = storage;
        this.directory = directory;
        this.jobId = jobId;
        this.created = created;
    }

    /**
     * Takes ownership of {@code dir} for job {@code jobId}, creating it if needed.
     *
     * @throws InputException if {@code dir} is a file, cannot be created, or another job holds it
     */
    public static OutputDirectory claim(Storage storage, Path dir, String jobId) {
        Path qualified = storage.qualify(dir);
        FileStatus status = storage.status(qualified);
        if (status != null && !status.isDirectory()) throw new InputException(dir + ": output path is a file, not a directory");
        if (status == null) storage.mkdirs(qualified);
        Path lock = new Path(qualified, LOCK);
        String holder = jobId + " on " + host() + " since " + Instant.now();
        if (!storage.createExclusive(lock, holder + "\n")) {
            throw new InputException(dir + ": another job is writing this output (" + readQuietly(storage, lock)
                    + "); if none is running, delete " + lock);
        }
        return new OutputDirectory(storage, qualified.toString(), jobId, status == null);
    }

    /** The directory of a job that already owns it (e.g. rebuilt on an executor): no checks. */
    public static OutputDirectory owned(Storage storage, Path dir, String jobId) {
        return new OutputDirectory(storage, storage.qualify(dir).toString(), jobId, false);
    }

    public Storage storage() {
        return storage;
    }

    public Path path() {
        return new Path(directory);
    }

    public String jobId() {
        return jobId;
    }

    /** {@code <dir>/_temporary/<jobId>}: every attempt's files, removed by commit or abort. */
    public Path temporaryDir() {
        return new Path(new Path(path(), TEMPORARY), jobId);
    }

    /** Where a task attempt writes partition {@code partitionId}'s file before the job commits. */
    public Path taskFile(int partitionId, long taskId) {
        return new Path(temporaryDir(), String.format(Locale.ROOT, "part-%05d-%d.arrow", partitionId, taskId));
    }

    /** The committed name of a partition's file: {@code part-00003-17.arrow}. */
    public static String partName(int partitionId, long taskId) {
        return String.format(Locale.ROOT, "part-%05d-%d.arrow", partitionId, taskId);
    }

    /**
     * Moves the staged files into place (see the class comment).
     *
     * @param staged    file or directory under {@link #temporaryDir()} -> its name in the output directory
     *                  ({@code _rejected} replaces the old {@code _rejected})
     * @param overwrite replace the directory's previous data files and {@code _rejected}
     */
    public void commit(Map<Path, String> staged, boolean overwrite) {
        checkOwner();
        Path dir = path();
        storage.delete(new Path(dir, SUCCESS));
        List<FileStatus> existing = storage.list(dir);
        Set<String> names = existing.stream().map(s -> s.getPath().getName()).collect(Collectors.toSet());
        if (overwrite) {
            for (FileStatus s : existing) {
                String name = s.getPath().getName();
                if ((s.isFile() && isDataFileName(name)) || name.equals(REJECTED)) storage.delete(s.getPath());
            }
            names.clear();
        }
        for (Map.Entry<Path, String> e : staged.entrySet()) {
            String name = e.getValue();
            if (name.equals(REJECTED)) {
                storage.delete(new Path(dir, REJECTED));
            } else if (names.contains(name)) { // append: keep the earlier file, name ours after the job
                name = name.substring(0, name.length() - ".arrow".length()) + "-" + jobId + ".arrow";
            }
            storage.rename(e.getKey(), new Path(dir, name));
        }
        removeTemporary();
        storage.writeString(new Path(dir, SUCCESS), "", true);
        storage.delete(new Path(dir, LOCK));
    }

    /** Drops this job's temporary files and lock; the directory too if this job created it and nothing else is there. */
    public void abort() {
        removeTemporary();
        Path lock = new Path(path(), LOCK);
        if (readQuietly(storage, lock).startsWith(jobId + " ")) storage.delete(lock);
        if (created && storage.exists(path()) && storage.list(path()).isEmpty()) storage.delete(path());
    }

    private void removeTemporary() {
        storage.delete(temporaryDir());
        Path all = temporaryDir().getParent();
        if (storage.isDirectory(all) && storage.list(all).isEmpty()) storage.delete(all); // others' in flight stay
    }

    private void checkOwner() {
        Path lock = new Path(path(), LOCK);
        String holder = readQuietly(storage, lock);
        if (!holder.startsWith(jobId + " ")) {
            throw new InputException(path() + ": this job (" + jobId + ") no longer owns the output: "
                    + (holder.isEmpty() ? LOCK + " was removed" : LOCK + " names " + holder) + "; nothing was committed");
        }
    }

    /**
     * Refuses an output that equals, contains or lies inside an input (a glob counts from its fixed prefix), before
     * anything is written or deleted: an overwrite would delete the input.
     *
     * @throws InputException naming both paths
     */
    public static void checkSeparate(Storage storage, Path output, String outputText, Path input, String inputText) {
        String out = withSlash(storage.qualify(output));
        String in = withSlash(storage.qualify(fixedPrefix(input)));
        if (out.equals(in)) {
            throw new InputException("--output " + outputText + " is the input " + inputText + "; choose another output directory");
        }
        if (in.startsWith(out)) {
            throw new InputException("--output " + outputText + " contains the input " + inputText
                    + " (an overwrite would delete it); choose another output directory");
        }
        if (out.startsWith(in)) {
            throw new InputException("--output " + outputText + " lies inside the input " + inputText + "; choose another output directory");
        }
    }

    private static Path fixedPrefix(Path path) {
        Path p = path;
        while (p != null && Storage.isGlob(p.toString())) p = p.getParent();
        return p == null ? new Path("/") : p;
    }

    private static String withSlash(Path p) {
        String s = p.toString();
        return s.endsWith("/") ? s : s + "/";
    }

    /**
     * Why a directory is not complete output to read, or null: it holds the lock of a job (writing, or killed),
     * {@code _temporary}, or committed part files without {@value #SUCCESS}. Plain datasets (no commit files) pass.
     */
    public static String incompleteReason(List<FileStatus> entries) {
        Set<String> names = entries.stream().map(s -> s.getPath().getName()).collect(Collectors.toSet());
        if (names.contains(LOCK)) return "holds " + LOCK + " (a job is writing it, or was killed before its commit finished)";
        if (names.contains(TEMPORARY)) return "holds " + TEMPORARY + " (a job is writing it, or failed)";
        if (!names.contains(SUCCESS) && names.stream().anyMatch(n -> COMMITTED_PART.matcher(n).matches())) {
            return "has part files but no " + SUCCESS + " (its job did not finish)";
        }
        return null;
    }

    /** Data files a commit replaces: visible Arrow files. */
    public static boolean isDataFileName(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return !name.startsWith(".") && !name.startsWith("_")
                && (lower.endsWith(".arrow") || lower.endsWith(".arrows") || lower.endsWith(".ipc") || lower.endsWith(".feather")
                || lower.endsWith(".parquet"));
    }

    private static String readQuietly(Storage storage, Path file) {
        try {
            return storage.readString(file).strip();
        } catch (InputException e) {
            return "";
        }
    }

    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "unknown host";
        }
    }
}
