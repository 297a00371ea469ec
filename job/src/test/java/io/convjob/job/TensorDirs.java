package io.convjob.job;

import io.convjob.arrow.TensorFileReader;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reads a directory of Arrow tensor files (id, tensor) with the plain file reader, outside Spark. */
public record TensorDirs(int[] shape, Map<Long, float[]> rows) {

    /** The visible {@code *.arrow} files of {@code dir}, recursively (Spark skips names starting with _ or .). */
    public static List<Path> arrowFiles(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".arrow")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static TensorDirs read(Path dir) {
        int[] shape = null;
        Map<Long, float[]> rows = new TreeMap<>();
        try (BufferAllocator allocator = new RootAllocator()) {
            for (Path file : arrowFiles(dir)) {
                if (file.getFileName().toString().startsWith("_") || file.getParent().getFileName().toString().startsWith("_")) continue;
                try (TensorFileReader reader = TensorFileReader.open(file, allocator)) {
                    if (shape != null) assertArrayEquals(shape, reader.shape(), file.toString());
                    shape = reader.shape();
                    int n = reader.elementCount();
                    while (reader.loadNextBatch()) {
                        float[] data = new float[reader.batchRows() * n];
                        reader.copyTensors(data, 0);
                        BigIntVector ids = (BigIntVector) reader.root().getVector("id");
                        for (int r = 0; r < reader.batchRows(); r++) {
                            float[] previous = rows.put(ids.get(r), Arrays.copyOfRange(data, r * n, (r + 1) * n));
                            assertNull(previous, "id " + ids.get(r) + " written twice");
                        }
                    }
                }
            }
        }
        return new TensorDirs(shape, rows);
    }

    /** Same ids and shape, and max|y - expected| <= 1e-5 * max|expected| (the conformance pass mark). */
    public static void assertMatches(TensorDirs expected, TensorDirs actual) {
        assertArrayEquals(expected.shape(), actual.shape(), "shape");
        assertEquals(expected.rows().keySet(), actual.rows().keySet(), "ids");
        float maxExpected = 0;
        for (float[] y : expected.rows().values()) for (float v : y) maxExpected = Math.max(maxExpected, Math.abs(v));
        assertTrue(maxExpected > 0, "expected output is all zeros");
        double worst = 0;
        for (Map.Entry<Long, float[]> e : expected.rows().entrySet()) {
            float[] y = actual.rows().get(e.getKey());
            for (int i = 0; i < y.length; i++) worst = Math.max(worst, Math.abs(y[i] - e.getValue()[i]));
        }
        assertTrue(worst <= 1e-5 * maxExpected, "max |y - expected| = " + worst + " > 1e-5 * " + maxExpected);
    }
}
