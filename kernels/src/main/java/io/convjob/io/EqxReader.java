package io.convjob.io;

import io.convjob.error.InputException;
import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads a file written by equinox's {@code tree_serialise_leaves}: one {@code .npy} record per array leaf, in tree
 * order, back to back until EOF. Non-array leaves (functions, activations) and {@code None} (a layer without bias)
 * write nothing, so the records are only the arrays: for a stack, each conv layer's weight then, if it has one, its
 * bias, and each MaxPool/AvgPool's reduction init (a 0-d record: {@code -inf} float64, {@code 0} int64). Tensors
 * are named {@code leaf[i]}; mapping them to layers is the caller's job. Python scalar leaves appear as 0-d records of
 * their numpy dtype; float and int32/int64 ones are read, bool ones and integer arrays are rejected like any other
 * unsupported dtype.
 */
public final class EqxReader {

    private EqxReader() {}

    /**
     * @throws InputException if the file does not exist
     * @throws WeightFormatException naming the record and its byte offset if one is truncated, malformed or unsupported
     */
    public static List<NamedTensor> read(Path file) {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            return read(in, file.toString());
        } catch (NoSuchFileException e) {
            throw new InputException(file + ": no such file");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** All records of the stream until EOF; {@code source} leads error messages. */
    public static List<NamedTensor> read(InputStream in, String source) throws IOException {
        CountingInputStream counting = new CountingInputStream(in);
        List<NamedTensor> leaves = new ArrayList<>();
        while (true) {
            int index = leaves.size();
            String recordSource = source + ": record " + index + " at byte " + counting.count;
            Optional<NamedTensor> next = NpyReader.readNext(counting, recordSource, "leaf[" + index + "]");
            if (next.isEmpty()) return List.copyOf(leaves);
            leaves.add(next.get());
        }
    }

    /** Tracks the offset so messages can point into the file. */
    private static final class CountingInputStream extends FilterInputStream {
        long count;

        CountingInputStream(InputStream in) { super(in); }

        @Override public int read() throws IOException {
            int b = super.read();
            if (b >= 0) count++;
            return b;
        }

        @Override public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) count += n;
            return n;
        }

        @Override public long skip(long n) throws IOException {
            long skipped = super.skip(n);
            count += skipped;
            return skipped;
        }
    }
}
