package io.convjob.arrow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.ExtensionTypeRegistry;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class TensorFileReaderTest {
    private BufferAllocator allocator;

    @BeforeEach
    void setUp() {
        allocator = new RootAllocator();
    }

    @AfterEach
    void tearDown() {
        allocator.close(); // throws on a leak
    }

    static Stream<String> casesWithArrowFiles() throws IOException {
        try (Stream<Path> cases = Files.list(GoldenTensors.conformanceDir())) {
            List<String> names = cases.filter(c -> Files.exists(c.resolve("input.arrow")))
                    .map(c -> c.getFileName().toString()).sorted().toList();
            assertTrue(names.containsAll(List.of("hand_00_conv2d", "stack_autoencoder2d")), names.toString());
            return names.stream();
        }
    }

    /** input.arrow holds golden x and expected.arrow golden y: ids 0..n-1, two batches, identical floats. */
    @ParameterizedTest
    @MethodSource("casesWithArrowFiles")
    void readsPyarrowFilesEqualToTheGoldenTensors(String name) throws IOException {
        Path dir = GoldenTensors.conformanceDir().resolve(name);
        GoldenTensors golden = GoldenTensors.read(dir.resolve("golden.safetensors"));
        long[] inputIds = checkFile(dir.resolve("input.arrow"), golden.f32("x"));
        long[] outputIds = checkFile(dir.resolve("expected.arrow"), golden.f32("y"));
        assertArrayEquals(inputIds, outputIds);
    }

    /** Checks shape, batches and values; returns the ids, which must count up by one. */
    private long[] checkFile(Path file, GoldenTensors.Tensor golden) {
        try (TensorFileReader reader = TensorFileReader.open(file, allocator)) {
            assertArrayEquals(golden.sampleShape(), reader.shape());
            assertEquals(golden.batch(), reader.rowCount());
            assertEquals(Math.min(2, golden.batch()), reader.batchCount());
            assertFalse(reader.isStreamFormat());
            assertEquals(List.of("id", "tensor"), reader.schema().getFields().stream().map(Field::getName).toList());
            float[] all = new float[golden.values().length];
            long[] ids = new long[golden.batch()];
            int rows = 0;
            while (reader.loadNextBatch()) {
                assertEquals(rows, reader.batchFirstRow());
                assertInstanceOf(FixedShapeTensorVector.class, reader.tensorVector());
                reader.copyTensors(all, rows * reader.elementCount());
                BigIntVector id = (BigIntVector) reader.root().getVector("id");
                for (int r = 0; r < reader.batchRows(); r++) ids[rows + r] = id.get(r);
                rows += reader.batchRows();
            }
            assertEquals(golden.batch(), rows);
            assertArrayEquals(golden.values(), all);
            long[] expectedIds = new long[golden.batch()];
            Arrays.setAll(expectedIds, i -> ids[0] + i);
            assertArrayEquals(expectedIds, ids);
            return ids;
        }
    }

    @Test
    void loadsBatchesByIndexAndReportsTheirRowCounts() throws IOException {
        Path file = GoldenTensors.conformanceDir().resolve("stack_autoencoder2d/input.arrow");
        GoldenTensors.Tensor x = GoldenTensors.read(file.resolveSibling("golden.safetensors")).f32("x");
        try (TensorFileReader reader = TensorFileReader.open(file, allocator, "tensor", x.sampleShape())) {
            int first = reader.batchRowCount(0);
            assertEquals(x.batch(), first + reader.batchRowCount(1));
            reader.loadBatch(1);
            assertEquals(first, reader.batchFirstRow());
            float[] tail = new float[reader.batchRows() * reader.elementCount()];
            reader.copyTensors(tail, 0);
            assertArrayEquals(Arrays.copyOfRange(x.values(), first * reader.elementCount(), x.values().length), tail);
            assertFalse(reader.loadNextBatch());
            FixedShapeTensorVector vector = (FixedShapeTensorVector) reader.tensorVector();
            float[] row = (float[]) vector.getObject(0);
            assertArrayEquals(Arrays.copyOf(tail, reader.elementCount()), row);
        }
    }

    /** Without the extension registered the column is plain FixedSizeList storage; its field metadata still gives the shape. */
    @Test
    void readsPlainStorageWhenTheExtensionIsUnregistered() throws IOException {
        Path file = GoldenTensors.conformanceDir().resolve("hand_00_conv2d/input.arrow");
        GoldenTensors.Tensor x = GoldenTensors.read(file.resolveSibling("golden.safetensors")).f32("x");
        FixedShapeTensorType.ensureRegistered();
        ArrowType.ExtensionType registered = ExtensionTypeRegistry.lookup(FixedShapeTensorType.NAME);
        ExtensionTypeRegistry.unregister(registered);
        try (var channel = Files.newByteChannel(file);
             var raw = new org.apache.arrow.vector.ipc.ArrowFileReader(channel, allocator)) {
            Field field = raw.getVectorSchemaRoot().getSchema().findField("tensor");
            assertEquals(new ArrowType.FixedSizeList(192), field.getType());
            assertTrue(raw.loadNextBatch());
            FixedSizeListVector storage = (FixedSizeListVector) raw.getVectorSchemaRoot().getVector("tensor");
            assertEquals(x.values()[0], ((Float4Vector) storage.getDataVector()).get(0));
        } finally {
            FixedShapeTensorType.ensureRegistered();
        }
        // the reader registers the type itself; reading raw storage above left nothing behind
        try (TensorFileReader reader = TensorFileReader.open(file, allocator)) {
            assertInstanceOf(FixedShapeTensorVector.class, reader.root().getVector("tensor"));
        }
    }

    @Test
    void readsAPlainFixedSizeListWithTheCallersShapeAndFromTheIpcStreamFormat(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("plain.arrows");
        float[] values = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
        Field item = new Field("item", FieldType.nullable(FixedShapeTensorType.FLOAT32), null);
        Schema schema = new Schema(List.of(new Field("x", FieldType.nullable(new ArrowType.FixedSizeList(6)), List.of(item))));
        try (VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator);
             FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
             ArrowStreamWriter writer = new ArrowStreamWriter(root, null, out)) {
            writer.start();
            FixedSizeListVector list = (FixedSizeListVector) root.getVector("x");
            for (int batch = 0; batch < 2; batch++) {
                TensorRows.writeFixed(list, 0, 1, values, batch * 6);
                root.setRowCount(1);
                writer.writeBatch();
            }
            writer.end();
        }
        try (TensorFileReader reader = TensorFileReader.open(file, allocator, "x", new int[] {2, 3})) {
            assertTrue(reader.isStreamFormat());
            assertEquals(-1, reader.batchCount());
            assertEquals(2, reader.rowCount());
            float[] all = new float[12];
            int rows = 0;
            while (reader.loadNextBatch()) {
                assertEquals(rows, reader.batchFirstRow());
                reader.copyTensors(all, rows * 6);
                rows += reader.batchRows();
            }
            assertArrayEquals(values, all);
        }
        try (TensorFileReader reader = TensorFileReader.open(file, allocator, "x", null)) {
            assertArrayEquals(new int[] {6}, reader.shape());
        }
        TensorFormatException e = assertThrows(TensorFormatException.class,
                () -> TensorFileReader.open(file, allocator, "x", new int[] {4, 2}));
        assertEquals(file + ": column 'x': shape [4, 2] has 8 elements but the list size is 6", e.getMessage());
    }

    @Test
    void checksListLengthsAndNullsNamingFileAndRow(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("lists.arrows");
        Field item = new Field("item", FieldType.nullable(FixedShapeTensorType.FLOAT32), null);
        Schema schema = new Schema(List.of(new Field("tensor", FieldType.nullable(ArrowType.List.INSTANCE), List.of(item))));
        try (VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator);
             FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
             ArrowStreamWriter writer = new ArrowStreamWriter(root, null, out)) {
            writer.start();
            ListVector list = (ListVector) root.getVector("tensor");
            var w = list.getWriter();
            for (int r = 0; r < 3; r++) {
                w.setPosition(r);
                if (r == 1) continue; // row 1 null
                w.startList();
                for (int k = 0; k < (r == 2 ? 3 : 4); k++) w.float4().writeFloat4(r * 10 + k);
                w.endList();
            }
            root.setRowCount(3);
            writer.writeBatch();
            writer.end();
        }
        try (TensorFileReader reader = TensorFileReader.open(file, allocator, "tensor", new int[] {2, 2})) {
            assertTrue(reader.loadNextBatch());
            float[] row0 = new float[4];
            reader.copyTensors(0, 1, row0, 0);
            assertArrayEquals(new float[] {0, 1, 2, 3}, row0);
            TensorFormatException nullRow = assertThrows(TensorFormatException.class, () -> reader.copyTensors(new float[12], 0));
            assertEquals(file + ": column 'tensor': row 1 is null", nullRow.getMessage());
            TensorFormatException shortRow = assertThrows(TensorFormatException.class, () -> reader.copyTensors(2, 1, new float[4], 0));
            assertEquals(file + ": column 'tensor': row 2 has 3 values, expected 4", shortRow.getMessage());
        }
        TensorFormatException noShape = assertThrows(TensorFormatException.class, () -> TensorFileReader.open(file, allocator));
        assertEquals(file + ": column 'tensor': a variable-size list needs a shape", noShape.getMessage());
    }

    @Test
    void reportsANullTensorRowByItsIndexInTheFile(@TempDir Path dir) {
        Path file = dir.resolve("nulls.arrow");
        try (TensorFileWriter writer = TensorFileWriter.create(file, TensorFileWriter.idTensorSchema(new int[] {2}), "tensor", allocator)) {
            for (int batch = 0; batch < 2; batch++) {
                BigIntVector id = (BigIntVector) writer.root().getVector("id");
                for (int r = 0; r < 3; r++) {
                    id.setSafe(r, batch * 3L + r);
                    if (batch == 1 && r == 1) writer.tensorVector().setNull(r);
                    else writer.tensorVector().writeRow(r, new float[] {r, -r}, 0);
                }
                writer.writeRoot(3);
            }
            writer.commit();
        }
        try (TensorFileReader reader = TensorFileReader.open(file, allocator)) {
            assertTrue(reader.loadNextBatch());
            reader.copyTensors(new float[6], 0);
            assertTrue(reader.loadNextBatch());
            TensorFormatException e = assertThrows(TensorFormatException.class, () -> reader.copyTensors(new float[6], 0));
            assertEquals(file + ": column 'tensor': row 4 is null", e.getMessage());
            assertEquals(null, reader.tensorVector().getObject(1));
        }
    }

    @Test
    void rejectsMissingColumnsWrongTypesAndNonArrowFiles(@TempDir Path dir) throws IOException {
        Path input = GoldenTensors.conformanceDir().resolve("hand_00_conv2d/input.arrow");
        TensorFormatException missing = assertThrows(TensorFormatException.class,
                () -> TensorFileReader.open(input, allocator, "image", null));
        assertEquals(input + ": no column 'image' (columns: id, tensor)", missing.getMessage());
        TensorFormatException wrongType = assertThrows(TensorFormatException.class,
                () -> TensorFileReader.open(input, allocator, "id", null));
        assertEquals(input + ": column 'id': must be arrow.fixed_shape_tensor or a list of float32, got Int(64, true)", wrongType.getMessage());
        TensorFormatException wrongShape = assertThrows(TensorFormatException.class,
                () -> TensorFileReader.open(input, allocator, "tensor", new int[] {3, 64}));
        assertEquals(input + ": column 'tensor': shape [3, 8, 8] differs from the expected [3, 64]", wrongShape.getMessage());

        Path text = Files.writeString(dir.resolve("notes.arrow"), "not arrow at all");
        TensorFormatException notArrow = assertThrows(TensorFormatException.class, () -> TensorFileReader.open(text, allocator));
        assertTrue(notArrow.getMessage().startsWith(text + ": not a readable Arrow IPC file or stream"), notArrow.getMessage());

        Path truncated = dir.resolve("truncated.arrow");
        byte[] bytes = Files.readAllBytes(input);
        Files.write(truncated, Arrays.copyOf(bytes, bytes.length / 2));
        TensorFormatException cut = assertThrows(TensorFormatException.class, () -> TensorFileReader.open(truncated, allocator));
        assertTrue(cut.getMessage().startsWith(truncated + ": not a readable Arrow IPC file or stream"), cut.getMessage());

        Path absent = dir.resolve("absent.arrow");
        TensorFormatException none = assertThrows(TensorFormatException.class, () -> TensorFileReader.open(absent, allocator));
        assertEquals(absent + ": no such file", none.getMessage());
    }

    @Test
    void rejectsBadExtensionMetadataInAFileNamingTheFile(@TempDir Path dir) throws IOException {
        Path input = GoldenTensors.conformanceDir().resolve("hand_00_conv2d/input.arrow");
        byte[] bytes = Files.readAllBytes(input);
        // same length, so the flatbuffer stays valid: shape [3,8,8] -> [3,8,9] no longer matches the list size 192
        byte[] bad = replaceAll(bytes, "\"shape\":[3,8,8]", "\"shape\":[3,8,9]");
        Path file = Files.write(dir.resolve("bad.arrow"), bad);
        TensorFormatException e = assertThrows(TensorFormatException.class, () -> TensorFileReader.open(file, allocator));
        assertEquals(file + ": arrow.fixed_shape_tensor metadata: shape: product 216 of [3, 8, 9] != storage list size 192", e.getMessage());
    }

    /** Replaces every occurrence: the file format repeats the schema in its footer. */
    private static byte[] replaceAll(byte[] bytes, String from, String to) {
        byte[] f = from.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] t = to.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] out = bytes.clone();
        int found = 0;
        for (int i = 0; i + f.length <= bytes.length; i++) {
            if (Arrays.equals(bytes, i, i + f.length, f, 0, f.length)) {
                System.arraycopy(t, 0, out, i, t.length);
                found++;
            }
        }
        assertEquals(2, found, "schema copies of " + from);
        return out;
    }
}
