package io.convjob.sample;

import io.convjob.arrow.TensorFileWriter;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The sample dataset {@code convjob demo} runs on: {@value #FILES} Arrow IPC files of {@value #ROWS_PER_FILE} rows
 * ({@code id} int64, {@code tensor} of shape (3, 32, 32)), with deterministic values. Committed under
 * {@code datasets/src/main/resources/sample/}; regenerate with {@code java io.convjob.sample.SampleData DIR}.
 */
public final class SampleData {
    private SampleData() {}

    public static final int FILES = 4;
    public static final int ROWS_PER_FILE = 16;
    public static final int ROWS_PER_BATCH = 8;
    private static final int[] SHAPE = {3, 32, 32};
    private static final String RESOURCE_DIR = "sample/";

    public static int[] shape() {
        return SHAPE.clone();
    }

    /** The file names, e.g. {@code part-00000.arrow}. */
    public static List<String> fileNames() {
        List<String> names = new ArrayList<>();
        for (int f = 0; f < FILES; f++) names.add(String.format("part-%05d.arrow", f));
        return names;
    }

    /**
     * The value of element {@code i} of row {@code id}: smooth per-channel patterns that differ between rows, so
     * convolutions have structure to find; computed in double and rounded once, so it is the same everywhere.
     */
    static float value(long id, int i) {
        int c = i / (SHAPE[1] * SHAPE[2]);
        int y = i / SHAPE[2] % SHAPE[1];
        int x = i % SHAPE[2];
        double phase = 0.37 * id + 1.1 * c;
        return (float) (Math.sin(0.2 * x + phase) * Math.cos(0.15 * y - 0.5 * phase) + 0.01 * ((id * 31 + i) % 17));
    }

    /** Writes the dataset into {@code dir}. */
    public static void generate(Path dir) {
        int n = SHAPE[0] * SHAPE[1] * SHAPE[2];
        try (BufferAllocator allocator = new RootAllocator()) {
            Files.createDirectories(dir);
            List<String> names = fileNames();
            for (int f = 0; f < FILES; f++) {
                long[] ids = new long[ROWS_PER_FILE];
                float[] data = new float[ROWS_PER_FILE * n];
                for (int r = 0; r < ROWS_PER_FILE; r++) {
                    ids[r] = (long) f * ROWS_PER_FILE + r;
                    for (int i = 0; i < n; i++) data[r * n + i] = value(ids[r], i);
                }
                TensorFileWriter.writeFile(dir.resolve(names.get(f)), ids, data, SHAPE, ROWS_PER_BATCH, allocator);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Copies the committed dataset from the classpath into {@code dir} (works from a jar too). */
    public static void extract(Path dir) {
        try {
            Files.createDirectories(dir);
            for (String name : fileNames()) {
                try (InputStream in = SampleData.class.getClassLoader().getResourceAsStream(RESOURCE_DIR + name)) {
                    if (in == null) throw new IllegalStateException("sample file missing from the classpath: " + RESOURCE_DIR + name);
                    Files.copy(in, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static void main(String[] args) {
        if (args.length != 1) {
            System.err.println("usage: SampleData DIR");
            System.exit(2);
        }
        generate(Path.of(args[0]));
    }
}
