package io.convjob.cli;

import io.convjob.storage.Storage;
import org.apache.hadoop.fs.Path;

import java.io.PrintWriter;

/** Before a command writes a file: removes what an interrupted earlier write of it left, and says so on stderr. */
final class StaleTemporaries {
    private StaleTemporaries() {}

    static void remove(Storage storage, Path output, PrintWriter err) {
        for (Path stale : storage.removeStaleTemporaries(output)) {
            err.println("note: removed " + stale + ", a temporary file an interrupted earlier write of "
                    + output.getName() + " left behind");
        }
        err.flush();
    }

    static void remove(java.nio.file.Path output, PrintWriter err) {
        remove(Storage.standard(), Storage.local(output), err);
    }
}
