package io.convjob.arrow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TensorFileConverterTest {
    private static final int[] IN = {2, 5};
    private static final int[] OUT = {3, 4};
    private BufferAllocator allocator;

    @BeforeEach
    void setUp() {
        allocator = new RootAllocator();
    }

    @AfterEach
    void tearDown() {
        allocator.close(); // throws on a leak
    }

    /** Each output row depends on its own input row only, position by position (so misplaced rows show). */
    private static void rowFunction(float[] x, int rows, float[] y) {
        for (int r = 0; r < rows; r++) {
            float sum = 0;
            for (int i = 0; i < 10; i++) sum += x[r * 10 + i] * (i + 1);
            for (int j = 0; j < 12; j++) y[r * 12 + j] = sum * (j + 1) + x[r * 10 + j % 10];
        }
    }

    /** 1000 rows in record batches of 96 (the last one 40), kernel batches of 7: partial batches everywhere. */
    private Path input(Path dir) {
        int rows = 1000;
        long[] ids = new long[rows];
        float[] data = new float[rows * 10];
        for (int r = 0; r < rows; r++) ids[r] = 5000 + r;
        for (int i = 0; i < data.length; i++) data[i] = (float) Math.sin(i * 0.37);
        Path file = dir.resolve("in.arrow");
        TensorFileWriter.writeFile(file, ids, data, IN, 96, allocator);
        return file;
    }

    private long convert(Path in, Path out, int lanes, TensorFileConverter.BatchKernel kernel) {
        try (TensorFileReader reader = TensorFileReader.open(in, allocator);
             TensorFileWriter writer = TensorFileWriter.create(out, reader.schema(), "tensor", OUT, allocator)) {
            long rows = new TensorFileConverter(IN, OUT, 7, lanes).convert(reader, 0, -1, writer, kernel);
            writer.commit();
            return rows;
        }
    }

    @Test
    void batchesInLanesGiveTheSerialPathsBytes(@TempDir Path dir) throws IOException {
        Path in = input(dir);
        Path serial = dir.resolve("serial.arrow");
        Path laned = dir.resolve("lanes.arrow");
        assertEquals(1000, convert(in, serial, 1, TensorFileConverterTest::rowFunction));
        AtomicInteger calls = new AtomicInteger();
        // every third kernel batch takes longer, so later batches finish first and must still be written in order
        assertEquals(1000, convert(in, laned, 3, (x, rows, y) -> {
            if (calls.incrementAndGet() % 3 == 0) {
                try {
                    Thread.sleep(3);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            rowFunction(x, rows, y);
        }));
        assertArrayEquals(Files.readAllBytes(serial), Files.readAllBytes(laned));

        try (TensorFileReader reader = TensorFileReader.open(laned, allocator)) { // and the values are the function's
            float[] x = new float[10];
            float[] expected = new float[12];
            float[] got = new float[96 * 12];
            long row = 0;
            try (TensorFileReader source = TensorFileReader.open(in, allocator)) {
                while (reader.loadNextBatch() && source.loadNextBatch()) {
                    reader.copyTensors(got, 0);
                    for (int r = 0; r < reader.batchRows(); r++, row++) {
                        source.copyTensors(r, 1, x, 0);
                        rowFunction(x, 1, expected);
                        for (int j = 0; j < 12; j++) assertEquals(expected[j], got[r * 12 + j], "row " + row);
                    }
                }
            }
            assertEquals(1000, row);
        }
    }

    @Test
    void aLanesFailureIsTheCallersAndEveryLaneEnds(@TempDir Path dir) {
        Path in = input(dir);
        Path out = dir.resolve("out.arrow");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> convert(in, out, 2, (x, rows, y) -> {
            for (int r = 0; r < rows; r++) {
                if (x[r * 10] == (float) Math.sin(300 * 10 * 0.37)) throw new IllegalStateException("kernel failed at row 300");
            }
            rowFunction(x, rows, y);
        }));
        assertEquals("kernel failed at row 300", e.getMessage());
        assertFalse(Files.exists(out));
        assertFalse(Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().startsWith("convjob-lane-")),
                "a lane thread outlived the conversion");
    }
}
