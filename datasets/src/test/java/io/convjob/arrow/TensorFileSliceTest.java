package io.convjob.arrow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A record batch read in slices of rows ({@link TensorFileReader#readInSlices}) holds exactly what the whole batch
 * holds, row for row and column for column: pyarrow's file of ONE record batch of 1003 rows with nulls in an int64, a
 * string, a bool, a list, a struct and the tensor column ({@code one_batch.py}), cut at row counts that do and do not
 * fall on byte boundaries of the validity bitmaps. Memory follows the slice, not the record batch.
 */
class TensorFileSliceTest {
    @TempDir static Path pyarrowFiles;
    private static final int ROWS = 1003;

    @BeforeAll
    static void writeWithPyarrow() throws Exception {
        CompressedIpcInteropTest.pythonScript("one_batch.py", pyarrowFiles.toString());
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 8, 13, 64, 1002})
    void slicesHoldWhatTheWholeBatchHolds(int sliceRows) {
        Path file = pyarrowFiles.resolve("one-batch.arrow");
        try (BufferAllocator allocator = new RootAllocator();
             TensorFileReader whole = TensorFileReader.open(file, allocator);
             TensorFileReader sliced = TensorFileReader.open(file, allocator)) {
            assertEquals(1, whole.batchCount());
            assertTrue(whole.loadNextBatch());
            assertEquals(ROWS, whole.batchRows());
            assertTrue(sliced.canReadInSlices());
            sliced.readInSlices(sliceRows);
            VectorSchemaRoot all = whole.root();
            int n = whole.elementCount();
            long expectedFirst = 0;
            int loads = 0;
            while (sliced.loadNextBatch()) {
                loads++;
                assertEquals(0, sliced.batchIndex());
                assertEquals(expectedFirst, sliced.batchFirstRow());
                int rows = sliced.batchRows();
                assertEquals(Math.min(sliceRows, ROWS - expectedFirst), rows);
                for (int c = 0; c < all.getFieldVectors().size(); c++) {
                    FieldVector expected = all.getVector(c);
                    FieldVector got = sliced.root().getVector(c);
                    for (int r = 0; r < rows; r++) {
                        int at = (int) expectedFirst + r;
                        assertEquals(expected.isNull(at), got.isNull(r), expected.getName() + " row " + at + " null");
                        if (c == whole.columnIndex() && at % 29 == 4) continue; // a null element: refused below
                        assertEquals(text(expected.getObject(at)), text(got.getObject(r)), expected.getName() + " row " + at);
                    }
                }
                for (int r = 0; r < rows; r++) {
                    int at = (int) expectedFirst + r;
                    int row = r;
                    if (at % 23 == 7) continue; // a null row
                    if (at % 29 == 4) { // a null element: refused the same either way, naming the row in the file
                        String a = assertThrows(TensorFormatException.class, () -> whole.copyTensors(at, 1, new float[n], 0)).getMessage();
                        String b = assertThrows(TensorFormatException.class, () -> sliced.copyTensors(row, 1, new float[n], 0)).getMessage();
                        assertEquals(a, b);
                        assertTrue(a.endsWith("row " + at + " has a null element at index 2"), a);
                        continue;
                    }
                    float[] want = new float[n];
                    float[] have = new float[n];
                    whole.copyTensors(at, 1, want, 0);
                    sliced.copyTensors(r, 1, have, 0);
                    assertArrayEquals(want, have, "tensor row " + at);
                }
                expectedFirst += rows;
            }
            assertEquals(ROWS, expectedFirst);
            assertEquals((ROWS + sliceRows - 1) / sliceRows, loads);
        }
    }

    /** A cell as text: a tensor row (float[]) by its values. */
    private static String text(Object cell) {
        return cell instanceof float[] floats ? java.util.Arrays.toString(floats) : String.valueOf(cell);
    }

    @Test
    void aBadRowNamesItsRowInTheFileNotInTheSlice() {
        try (BufferAllocator allocator = new RootAllocator();
             TensorFileReader sliced = TensorFileReader.open(pyarrowFiles.resolve("one-batch.arrow"), allocator)) {
            sliced.readInSlices(10);
            assertTrue(sliced.loadNextBatch()); // rows 0-9: row 7 is null
            TensorFormatException e = assertThrows(TensorFormatException.class,
                    () -> sliced.copyTensors(new float[10 * sliced.elementCount()], 0));
            assertTrue(e.getMessage().endsWith("column 'tensor': row 7 is null"), e.getMessage());
            assertTrue(sliced.loadNextBatch()); // rows 10-19: none bad
            assertTrue(sliced.loadNextBatch()); // rows 20-29: row 20 (20 % 29 != 4) ... row 30 is the next null one
            assertTrue(sliced.loadNextBatch()); // rows 30-39: row 30 is null (30 % 23 == 7)
            e = assertThrows(TensorFormatException.class, () -> sliced.copyTensors(new float[10 * sliced.elementCount()], 0));
            assertTrue(e.getMessage().endsWith("column 'tensor': row 30 is null"), e.getMessage());
        }
    }

    @Test
    void aCompressedRecordBatchLargerThanASliceIsRefusedSayingWhy() {
        Path file = pyarrowFiles.resolve("one-batch-lz4.arrow");
        try (BufferAllocator allocator = new RootAllocator();
             TensorFileReader reader = TensorFileReader.open(file, allocator)) {
            assertFalse(reader.canReadInSlices());
            reader.readInSlices(100);
            TensorFormatException e = assertThrows(TensorFormatException.class, reader::loadNextBatch);
            assertEquals(file + ": cannot read record batch 0 (it has 1003 rows, more than the 100 one load may hold, and is"
                    + " compressed: a compressed record batch is read whole)", e.getMessage());
        }
        try (BufferAllocator allocator = new RootAllocator();
             TensorFileReader reader = TensorFileReader.open(file, allocator)) {
            reader.readInSlices(ROWS); // as large as the batch: read whole
            assertTrue(reader.loadNextBatch());
            assertEquals(ROWS, reader.batchRows());
        }
    }

    @Test
    void memoryFollowsTheSliceNotTheRecordBatch(@TempDir Path dir) {
        int rows = 6000;
        int[] shape = {4, 16, 16};
        int n = 4 * 16 * 16; // 4 KiB a row: the one record batch is 23.4 MiB
        float[] data = new float[rows * n];
        for (int i = 0; i < data.length; i++) data[i] = (i % 1013) * 0.125f - i / (float) n;
        long[] ids = new long[rows];
        for (int i = 0; i < rows; i++) ids[i] = 1000 + i;
        Path file = dir.resolve("one-batch.arrow");
        try (BufferAllocator allocator = new RootAllocator()) {
            TensorFileWriter.writeFile(file, ids, data, shape, rows, allocator);
        }
        long slicedPeak;
        try (BufferAllocator allocator = new RootAllocator();
             TensorFileReader reader = TensorFileReader.open(file, allocator)) {
            assertEquals(1, reader.batchCount());
            reader.readInSlices(50);
            float[] back = new float[rows * n];
            int at = 0;
            while (reader.loadNextBatch()) {
                reader.copyTensors(back, at);
                at += reader.batchRows() * n;
            }
            assertArrayEquals(data, back);
            slicedPeak = allocator.getPeakMemoryAllocation();
        }
        long wholePeak;
        try (BufferAllocator allocator = new RootAllocator();
             TensorFileReader reader = TensorFileReader.open(file, allocator)) {
            assertTrue(reader.loadNextBatch());
            wholePeak = allocator.getPeakMemoryAllocation();
        }
        long sliceBytes = 50L * n * Float.BYTES; // 200 KiB
        assertTrue(slicedPeak < 3 * sliceBytes, "peak " + slicedPeak + " bytes reading slices of " + sliceBytes);
        assertTrue(wholePeak > (long) rows * n * Float.BYTES, "peak " + wholePeak + " reading the batch whole");
    }
}
