package io.convjob.arrow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TensorFileWriterTest {
    private BufferAllocator allocator;

    @BeforeEach
    void setUp() {
        allocator = new RootAllocator();
    }

    @AfterEach
    void tearDown() {
        allocator.close(); // throws on a leak
    }

    /** A source with a string column, an int64 column with nulls, and the tensor column in the middle. */
    private static Schema sourceSchema(int[] shape) {
        return new Schema(List.of(
                new Field("id", FieldType.nullable(new ArrowType.Int(64, true)), null),
                new FixedShapeTensorType(shape, List.of("C", "L"), new int[] {0, 1}).toField("tensor", false),
                new Field("label", FieldType.nullable(ArrowType.Utf8.INSTANCE), null)),
                Map.of("origin", "test"));
    }

    @Test
    void writesAnotherShapeAndCopiesEveryOtherColumnPerBatch(@TempDir Path dir) {
        int[] inShape = {2, 3};
        int[] outShape = {4, 2};
        int[] batchSizes = {3, 1, 5};
        Path target = dir.resolve("out.arrow");
        List<Long> ids = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        List<Float> written = new ArrayList<>();
        try (VectorSchemaRoot source = VectorSchemaRoot.create(sourceSchema(inShape), allocator);
             TensorFileWriter writer = TensorFileWriter.create(target, source.getSchema(), "tensor", outShape, allocator)) {
            assertEquals("{\"shape\":[4,2],\"permutation\":[0,1],\"dim_names\":[\"C\",\"L\"]}", writer.tensorType().serialize());
            int row = 0;
            for (int rows : batchSizes) {
                BigIntVector id = (BigIntVector) source.getVector("id");
                VarCharVector label = (VarCharVector) source.getVector("label");
                id.reset();
                label.reset();
                float[] out = new float[rows * 8];
                for (int r = 0; r < rows; r++, row++) {
                    if (row % 4 == 2) {
                        id.setNull(r);
                        ids.add(null);
                    } else {
                        id.setSafe(r, 100L + row);
                        ids.add(100L + row);
                    }
                    String text = row % 3 == 1 ? null : "row-" + row;
                    labels.add(text);
                    if (text == null) label.setNull(r);
                    else label.setSafe(r, text.getBytes(StandardCharsets.UTF_8));
                    for (int k = 0; k < 8; k++) {
                        out[r * 8 + k] = row * 10 + k + 0.5f;
                        written.add(out[r * 8 + k]);
                    }
                }
                source.setRowCount(rows);
                writer.writeBatch(source, out, 0);
            }
            assertFalse(Files.exists(target), "nothing at the target before commit");
            writer.commit();
            assertEquals(9, writer.rowsWritten());
        }
        assertEquals(List.of(target), listDir(dir), "the temporary file was renamed, not copied");

        try (TensorFileReader reader = TensorFileReader.open(target, allocator)) {
            assertArrayEquals(outShape, reader.shape());
            assertEquals(batchSizes.length, reader.batchCount());
            assertEquals(9, reader.rowCount());
            assertEquals(Map.of("origin", "test"), reader.schema().getCustomMetadata());
            assertFalse(reader.schema().findField("tensor").isNullable());
            List<Long> readIds = new ArrayList<>();
            List<String> readLabels = new ArrayList<>();
            List<Float> readValues = new ArrayList<>();
            int b = 0;
            while (reader.loadNextBatch()) {
                assertEquals(batchSizes[b++], reader.batchRows());
                BigIntVector id = (BigIntVector) reader.root().getVector("id");
                VarCharVector label = (VarCharVector) reader.root().getVector("label");
                float[] values = new float[reader.batchRows() * 8];
                reader.copyTensors(values, 0);
                for (int r = 0; r < reader.batchRows(); r++) {
                    readIds.add(id.isNull(r) ? null : id.get(r));
                    readLabels.add(label.isNull(r) ? null : new String(label.get(r), StandardCharsets.UTF_8));
                }
                for (float v : values) readValues.add(v);
            }
            assertEquals(ids, readIds);
            assertEquals(labels, readLabels);
            assertEquals(written, readValues);
        }
    }

    @Test
    void writeFileRoundTripsIdsAndValues(@TempDir Path dir) {
        int[] shape = {3, 2, 2};
        long[] ids = {7, 8, 9, 10, 11};
        float[] data = new float[ids.length * 12];
        for (int i = 0; i < data.length; i++) data[i] = (float) Math.sin(i);
        Path target = dir.resolve("sub/gen.arrow");
        TensorFileWriter.writeFile(target, ids, data, shape, 2, allocator);
        try (TensorFileReader reader = TensorFileReader.open(target, allocator)) {
            assertEquals(3, reader.batchCount());
            assertEquals("{\"shape\":[3,2,2]}", reader.tensorType().serialize());
            float[] all = new float[data.length];
            long[] readIds = new long[ids.length];
            int rows = 0;
            while (reader.loadNextBatch()) {
                reader.copyTensors(all, rows * 12);
                BigIntVector id = (BigIntVector) reader.root().getVector("id");
                for (int r = 0; r < reader.batchRows(); r++) readIds[rows + r] = id.get(r);
                rows += reader.batchRows();
            }
            assertArrayEquals(ids, readIds);
            assertArrayEquals(data, all);
        }
        IllegalArgumentException wrongLength = assertThrows(IllegalArgumentException.class,
                () -> TensorFileWriter.writeFile(dir.resolve("bad.arrow"), ids, new float[5], shape, 2, allocator));
        assertEquals("5 ids of shape [3, 2, 2] need 60 floats, got 5", wrongLength.getMessage());
        assertFalse(Files.exists(dir.resolve("bad.arrow")));
    }

    @Test
    void abortAndUncommittedCloseLeaveNoFileAndKeepAnExistingTarget(@TempDir Path dir) throws IOException {
        Path target = dir.resolve("out.arrow");
        try (TensorFileWriter writer = TensorFileWriter.create(target, TensorFileWriter.idTensorSchema(new int[] {2}), "tensor", allocator)) {
            writer.tensorVector().writeRow(0, new float[] {1, 2}, 0);
            writer.writeRoot(1);
            writer.abort();
        }
        assertEquals(List.of(), listDir(dir));

        Files.writeString(target, "previous");
        try (TensorFileWriter writer = TensorFileWriter.create(target, TensorFileWriter.idTensorSchema(new int[] {2}), "tensor", allocator)) {
            writer.tensorVector().writeRow(0, new float[] {1, 2}, 0);
            writer.writeRoot(1);
            // closed without commit, e.g. by an exception in a try-with-resources block
        }
        assertEquals(List.of(target), listDir(dir));
        assertEquals("previous", Files.readString(target));
    }

    @Test
    void rowAccessorsHandleNulls() {
        try (FixedShapeTensorVector vector = FixedShapeTensorVector.create("t", FixedShapeTensorType.of(2, 2), allocator)) {
            vector.writeRows(0, 2, new float[] {1, 2, 3, 4, 5, 6, 7, 8}, 0);
            vector.setNull(2);
            vector.writeRow(3, new float[] {9, 9, 9, 9, -1, -2, -3, -4}, 4);
            vector.setValueCount(4);
            assertEquals(1, vector.getNullCount());
            assertArrayEquals(new float[] {5, 6, 7, 8}, (float[]) vector.getObject(1));
            assertNull(vector.getObject(2));
            assertArrayEquals(new float[] {-1, -2, -3, -4}, (float[]) vector.getObject(3));
            float[] two = new float[9];
            vector.readRows(0, 2, two, 1);
            assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5, 6, 7, 8}, two);
            TensorFormatException e = assertThrows(TensorFormatException.class, () -> vector.readRow(2, new float[4], 0));
            assertEquals("row 2 is null", e.getMessage());
            assertEquals(FixedShapeTensorType.of(2, 2), vector.getField().getType());
        }
    }

    private static List<Path> listDir(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.sorted().toList();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
