package io.convjob.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.convjob.error.InputException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Local files through {@code java.nio} ({@link LocalFiles}) give what Hadoop's raw local file system gave for the same
 * files: statuses, listings, qualified names, moves, deletes, creates, and the same one-line errors.
 */
class LocalFilesTest {
    @TempDir java.nio.file.Path tmp;
    private final Storage storage = Storage.standard();
    private FileSystem hadoop;

    @BeforeEach
    void tree() throws IOException {
        hadoop = FileSystem.getLocal(new Configuration()).getRawFileSystem();
        Files.createDirectories(tmp.resolve("d/sub"));
        Files.writeString(tmp.resolve("d/a.arrow"), "12345");
        Files.writeString(tmp.resolve("d/.hidden"), "x");
        Files.writeString(tmp.resolve("d/sub/b"), "");
        Files.createSymbolicLink(tmp.resolve("d/link"), tmp.resolve("d/a.arrow"));
    }

    private Path p(String relative) {
        return new Path(tmp.resolve(relative).toString()); // scheme-less, as users give paths
    }

    @Test
    void statusesMatchHadoops() throws IOException {
        for (String name : List.of("d", "d/a.arrow", "d/.hidden", "d/sub", "d/sub/b", "d/link")) {
            FileStatus ours = storage.status(p(name));
            FileStatus theirs = hadoop.getFileStatus(p(name));
            assertEquals(theirs.getPath(), ours.getPath(), name);
            assertEquals(theirs.isDirectory(), ours.isDirectory(), name);
            assertEquals(theirs.isFile(), ours.isFile(), name);
            if (!ours.isDirectory()) assertEquals(theirs.getLen(), ours.getLen(), name);
            assertEquals(theirs.getModificationTime(), ours.getModificationTime(), name);
            assertEquals(theirs.getPermission(), ours.getPermission(), name);
            assertEquals(theirs.getOwner(), ours.getOwner(), name);
            assertEquals(theirs.getBlockSize(), ours.getBlockSize(), name);
        }
        assertNull(storage.status(p("d/missing")));
        assertNull(storage.status(p("d/a.arrow/below-a-file")));
        assertTrue(storage.isDirectory(p("d")));
        assertFalse(storage.exists(p("nothing")));
        assertEquals(5, storage.length(p("d/a.arrow")));
    }

    @Test
    void listingsMatchHadoops() throws IOException {
        List<Path> theirs = storage.list(p("d")).stream().map(FileStatus::getPath).toList();
        FileStatus[] hadoops = hadoop.listStatus(p("d"));
        assertEquals(java.util.Arrays.stream(hadoops).map(FileStatus::getPath).sorted().toList(), theirs);
        assertEquals(List.of(hadoop.makeQualified(p("d/a.arrow"))), storage.list(p("d/a.arrow")).stream().map(FileStatus::getPath).toList());
        InputException missing = assertThrows(InputException.class, () -> storage.list(p("none")));
        assertEquals(p("none") + ": no such file or directory", missing.getMessage());
    }

    @Test
    void qualifiedNamesMatchHadoops() {
        for (Path path : List.of(new Path("relative/x.arrow"), new Path("x"), p("d/a.arrow"), new Path("file:" + tmp + "/d"),
                new Path("file:///" + tmp + "/d"), new Path("/a/../b"))) {
            assertEquals(hadoop.makeQualified(path), storage.qualify(path), path.toString());
        }
    }

    @Test
    void movesReplaceAFileAsRename2Does() throws IOException {
        Files.writeString(tmp.resolve("d/c"), "new");
        storage.rename(p("d/c"), p("d/a.arrow"));
        assertEquals("new", Files.readString(tmp.resolve("d/a.arrow")));
        assertFalse(Files.exists(tmp.resolve("d/c")));
        storage.rename(p("d/sub"), p("moved"));
        assertTrue(Files.exists(tmp.resolve("moved/b")));
        Files.createDirectories(tmp.resolve("full/x"));
        Files.createDirectories(tmp.resolve("e"));
        InputException refused = assertThrows(InputException.class, () -> storage.rename(p("e"), p("full")));
        assertEquals(p("e") + ": cannot move to " + p("full") + " (the target exists)", refused.getMessage());
        InputException missing = assertThrows(InputException.class, () -> storage.rename(p("nothing"), p("x")));
        assertEquals(p("nothing") + ": no such file or directory", missing.getMessage());
    }

    @Test
    void deletesRemoveTreesButNotWhatLinksPointAt() throws IOException {
        Files.createDirectories(tmp.resolve("keep"));
        Files.writeString(tmp.resolve("keep/f"), "kept");
        Files.createSymbolicLink(tmp.resolve("d/sub/to-keep"), tmp.resolve("keep"));
        storage.delete(p("d/link"));
        assertTrue(Files.exists(tmp.resolve("d/a.arrow")));
        storage.delete(p("d"));
        assertFalse(Files.exists(tmp.resolve("d")));
        assertEquals("kept", Files.readString(tmp.resolve("keep/f")));
        storage.delete(p("d")); // nothing there is fine
    }

    @Test
    void createsAndDirectories() throws IOException {
        try (FSDataOutputStream out = storage.create(p("new/dir/f.txt"), false)) {
            out.write("one".getBytes(StandardCharsets.UTF_8));
        }
        assertEquals("one", Files.readString(tmp.resolve("new/dir/f.txt")));
        InputException exists = assertThrows(InputException.class, () -> storage.create(p("new/dir/f.txt"), false));
        assertEquals(p("new/dir/f.txt") + ": already exists", exists.getMessage());
        storage.writeString(p("new/dir/f.txt"), "two", true);
        assertArrayEquals("two".getBytes(StandardCharsets.UTF_8), storage.readAllBytes(p("new/dir/f.txt")));
        storage.mkdirs(p("m/n"));
        storage.mkdirs(p("m/n"));
        assertTrue(Files.isDirectory(tmp.resolve("m/n")));
        InputException file = assertThrows(InputException.class, () -> storage.mkdirs(p("d/a.arrow")));
        assertEquals(p("d/a.arrow") + ": already exists", file.getMessage());
    }

    @Test
    void otherSchemesAndAClusterDefaultGoThroughHadoop() {
        Configuration cluster = new Configuration(false);
        cluster.set("fs.defaultFS", "nofs://cluster"); // Hadoop's lookup of the default file system is what fails
        InputException e = assertThrows(InputException.class, () -> Storage.of(cluster).status(new Path("/data/x")));
        assertEquals("/data/x: No FileSystem for scheme \"nofs\"", e.getMessage());
        assertNull(Storage.of(cluster).localPath(new Path("/data/x")));
        assertEquals(tmp.resolve("d/a.arrow"), Storage.of(cluster).localPath(new Path("file:" + tmp + "/d/a.arrow")));
    }
}
