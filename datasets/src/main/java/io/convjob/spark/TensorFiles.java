package io.convjob.spark;

import io.convjob.error.InputException;
import io.convjob.format.TensorFormat;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Lists the tensor files a {@code path} names: the file itself, a directory's Arrow files (not recursing, skipping
 * hidden and {@code _}-prefixed names such as {@code _SUCCESS} and {@code _temporary}), or a glob's matches.
 * Paths are local or shared filesystem paths ({@code file:} URIs accepted).
 */
final class TensorFiles {
    private TensorFiles() {}

    static Path toPath(String path) {
        return path.startsWith("file:") ? Path.of(URI.create(path)) : Path.of(path);
    }

    /** The files, sorted by path; fails when a path matches nothing. */
    static List<Path> list(List<String> paths) {
        if (paths.isEmpty()) throw new InputException("arrow-tensor: no path given (use load(path) or option path)");
        List<Path> files = new ArrayList<>();
        for (String p : paths) {
            List<Path> found = isGlob(p) ? glob(p) : listOne(toPath(p));
            if (found.isEmpty()) throw new InputException("arrow-tensor: no Arrow files at " + p);
            files.addAll(found);
        }
        return files.stream().distinct().sorted().toList();
    }

    private static List<Path> listOne(Path path) {
        if (Files.isRegularFile(path)) return List.of(path);
        if (!Files.isDirectory(path)) throw new InputException("arrow-tensor: path does not exist: " + path);
        try (Stream<Path> entries = Files.list(path)) {
            return entries.filter(TensorFiles::isDataFile).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean isGlob(String p) {
        return p.indexOf('*') >= 0 || p.indexOf('?') >= 0 || p.indexOf('[') >= 0 || p.indexOf('{') >= 0;
    }

    /** A glob in the last path element, e.g. {@code /data/in/part-*.arrow}. */
    private static List<Path> glob(String pattern) {
        Path full = toPath(pattern);
        Path dir = full.getParent();
        if (dir == null || isGlob(dir.toString())) {
            throw new InputException("arrow-tensor: only the last element of a path may be a glob, got " + pattern);
        }
        if (!Files.isDirectory(dir)) return List.of();
        PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + full.getFileName());
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.filter(p -> matcher.matches(p.getFileName()) && Files.isRegularFile(p)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** True if {@code dir} is a directory holding at least one Arrow data file. */
    static boolean hasDataFiles(Path dir) {
        if (!Files.isDirectory(dir)) return false;
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.anyMatch(TensorFiles::isDataFile);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static boolean isDataFile(Path p) {
        String name = p.getFileName().toString();
        return !name.startsWith(".") && !name.startsWith("_") && Files.isRegularFile(p) && TensorFormat.ARROW.matches(name);
    }
}
