package io.convjob.arrow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
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
            long rows;
            try (TensorFileConverter converter = new TensorFileConverter(IN, OUT, 7, lanes)) {
                rows = converter.convert(reader, 0, -1, writer, kernel);
            }
            writer.commit();
            return rows;
        }
    }

    /** Record batches of these sizes (empty ones, ones smaller and larger than a kernel batch of 7). */
    private static final int[] MIXED_BATCHES = {96, 0, 3, 200, 1, 7, 0, 50, 14};

    /**
     * A file of {@link #MIXED_BATCHES} with an {@code id} column (every fifth null), a {@code label} column (every
     * third null) and the tensors; row {@code nullRow} (if >= 0) has a null tensor.
     */
    private Path mixedInput(Path dir, String name, int nullRow) {
        Path file = dir.resolve(name);
        Schema schema = new Schema(List.of(
                new Field("id", FieldType.nullable(new ArrowType.Int(64, true)), null),
                new Field("label", FieldType.nullable(ArrowType.Utf8.INSTANCE), null),
                new FixedShapeTensorType(IN).toField("tensor", true)));
        try (TensorFileWriter w = TensorFileWriter.create(file, schema, "tensor", allocator)) {
            int row = 0;
            for (int rows : MIXED_BATCHES) {
                BigIntVector id = (BigIntVector) w.root().getVector("id");
                VarCharVector label = (VarCharVector) w.root().getVector("label");
                float[] data = new float[rows * 10];
                for (int r = 0; r < rows; r++, row++) {
                    if (row % 5 == 4) id.setNull(r);
                    else id.setSafe(r, 7000 + row);
                    if (row % 3 == 1) label.setNull(r);
                    else label.setSafe(r, ("label-" + row).getBytes(StandardCharsets.UTF_8));
                    for (int i = 0; i < 10; i++) data[r * 10 + i] = (float) Math.cos(row * 10 + i);
                }
                w.tensorVector().writeRows(0, rows, data, 0);
                for (int r = 0; r < rows; r++) if (row - rows + r == nullRow) w.tensorVector().setNull(r);
                w.writeRoot(rows);
            }
            w.commit();
        }
        return file;
    }

    private long convertWith(TensorFileConverter converter, Path in, Path out, TensorFileConverter.BatchKernel kernel) {
        try (TensorFileReader reader = TensorFileReader.open(in, allocator);
             TensorFileWriter writer = TensorFileWriter.create(out, reader.schema(), "tensor", OUT, allocator)) {
            long rows = converter.convert(reader, 0, -1, writer, kernel);
            writer.commit();
            return rows;
        }
    }

    @Test
    void everyLaneCountWritesTheSameBytesForEveryBatchSizeAndColumn(@TempDir Path dir) throws IOException {
        Path in = mixedInput(dir, "in.arrow", -1);
        int total = java.util.Arrays.stream(MIXED_BATCHES).sum();
        Path serial = dir.resolve("serial.arrow");
        try (TensorFileConverter converter = new TensorFileConverter(IN, OUT, 7, 1)) {
            assertEquals(total, convertWith(converter, in, serial, TensorFileConverterTest::rowFunction));
        }
        for (int lanes : new int[] {2, 3}) {
            // one converter (its lanes and buffers) for two files in a row, as a Spark task or a bench run uses it
            try (TensorFileConverter converter = new TensorFileConverter(IN, OUT, 7, lanes)) {
                for (int file = 0; file < 2; file++) {
                    Path out = dir.resolve("lanes-" + lanes + "-" + file + ".arrow");
                    assertEquals(total, convertWith(converter, in, out, TensorFileConverterTest::rowFunction));
                    assertArrayEquals(Files.readAllBytes(serial), Files.readAllBytes(out), lanes + " lanes, file " + file);
                }
            }
        }
        // and the serial output holds the function of each row, the same batches, ids and labels
        try (TensorFileReader source = TensorFileReader.open(in, allocator);
             TensorFileReader result = TensorFileReader.open(serial, allocator)) {
            assertEquals(MIXED_BATCHES.length, result.batchCount());
            float[] x = new float[10];
            float[] expected = new float[12];
            float[] got = new float[12];
            int b = 0;
            while (source.loadNextBatch()) {
                assertTrue(result.loadNextBatch());
                assertEquals(MIXED_BATCHES[b++], result.batchRows());
                for (int r = 0; r < source.batchRows(); r++) {
                    source.copyTensors(r, 1, x, 0);
                    rowFunction(x, 1, expected);
                    result.copyTensors(r, 1, got, 0);
                    assertArrayEquals(expected, got);
                    for (String column : List.of("id", "label")) {
                        assertEquals(String.valueOf(source.root().getVector(column).getObject(r)),
                                String.valueOf(result.root().getVector(column).getObject(r)), column + " of batch " + b + " row " + r);
                    }
                }
            }
            assertFalse(result.loadNextBatch());
        }
    }

    @Test
    void aBadRowWithLanesFailsNamingItsIdAndLeavesNoFile(@TempDir Path dir) {
        Path in = mixedInput(dir, "in.arrow", 150);
        Path out = dir.resolve("out.arrow");
        try (TensorFileConverter converter = new TensorFileConverter(IN, OUT, 7, 2)) {
            TensorFormatException e = assertThrows(TensorFormatException.class,
                    () -> convertWith(converter, in, out, TensorFileConverterTest::rowFunction));
            assertEquals(in + ": id 7150: column 'tensor': row 150 is null", e.getMessage());
            assertFalse(Files.exists(out));
            // the converter still works after a failed file
            Path good = mixedInput(dir, "good.arrow", -1);
            assertEquals(java.util.Arrays.stream(MIXED_BATCHES).sum(),
                    convertWith(converter, good, out, TensorFileConverterTest::rowFunction));
        }
        assertFalse(Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().startsWith("convjob-lane-")),
                "a lane thread outlived the converter");
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
                "a lane thread outlived the converter");
    }
}
