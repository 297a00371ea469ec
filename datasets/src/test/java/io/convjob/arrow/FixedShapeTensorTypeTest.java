package io.convjob.arrow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.convjob.error.InputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.ExtensionTypeRegistry;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class FixedShapeTensorTypeTest {
    private BufferAllocator allocator;

    @BeforeEach
    void setUp() {
        allocator = new RootAllocator();
    }

    @AfterEach
    void tearDown() {
        allocator.close(); // throws on a leak
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"shape\":[3,8,8],\"permutation\":[0,1,2]}",
        "{\"shape\":[2,3]}",
        "{\"shape\":[]}",
        "{\"shape\":[4,0,2]}",
        "{\"shape\":[2,3],\"permutation\":[1,0],\"dim_names\":[\"C\",\"W\"]}",
        "{\"shape\":[5],\"dim_names\":[\"x \\\"quoted\\\" é\"]}",
    })
    void serialisesValidMetadataBackByteForByte(String metadata) {
        FixedShapeTensorType type = FixedShapeTensorType.parse(metadata);
        assertEquals(metadata, type.serialize());
        ArrowType back = type.deserialize(new ArrowType.FixedSizeList(type.elementCount()), type.serialize());
        assertEquals(type, back);
    }

    @Test
    void parsesFieldsAndIgnoresUnknownKeys() {
        FixedShapeTensorType type = FixedShapeTensorType.parse(
                "{ \"future\": {\"x\": 1}, \"dim_names\": [\"C\",\"H\",\"W\"], \"shape\": [3, 4, 5], \"permutation\": [2, 0, 1] }");
        assertArrayEquals(new int[] {3, 4, 5}, type.shape());
        assertEquals(60, type.elementCount());
        assertEquals(List.of("C", "H", "W"), type.dimNames());
        assertArrayEquals(new int[] {2, 0, 1}, type.permutation());
        assertFalse(type.isRowMajor());
        assertEquals("{\"shape\":[3,4,5],\"permutation\":[2,0,1],\"dim_names\":[\"C\",\"H\",\"W\"]}", type.serialize());
        FixedShapeTensorType plain = FixedShapeTensorType.parse("{\"shape\":[2]}");
        assertNull(plain.dimNames());
        assertNull(plain.permutation());
        assertTrue(plain.isRowMajor());
    }

    static Stream<Arguments> invalidMetadata() {
        String p = "arrow.fixed_shape_tensor metadata: ";
        return Stream.of(
                Arguments.of("", p + "must be a JSON object, got "),
                Arguments.of("[1,2]", p + "must be a JSON object, got [1,2]"),
                Arguments.of("{\"shape\":[3,8,", p + "not valid JSON: {\"shape\":[3,8,"),
                Arguments.of("{\"shape\":[3]} x", p + "not valid JSON: {\"shape\":[3]} x"),
                Arguments.of("{\"permutation\":[0]}", p + "shape: required, got {\"permutation\":[0]}"),
                Arguments.of("{\"shape\":\"3,8\"}", p + "shape: must be an array of non-negative integers, got \"3,8\""),
                Arguments.of("{\"shape\":[3,-1]}", p + "shape: must be an array of non-negative integers, got [3,-1]"),
                Arguments.of("{\"shape\":[3,2.5]}", p + "shape: must be an array of non-negative integers, got [3,2.5]"),
                Arguments.of("{\"shape\":[3,\"8\"]}", p + "shape: must be an array of non-negative integers, got [3,\"8\"]"),
                Arguments.of("{\"shape\":[65536,65536]}", p + "shape: element count must fit in an int, got [65536, 65536]"),
                Arguments.of("{\"shape\":[2,3],\"dim_names\":[\"C\"]}", p + "dim_names: must have one name per dimension (rank 2), got 1"),
                Arguments.of("{\"shape\":[2,3],\"dim_names\":\"CW\"}", p + "dim_names: must be an array of strings, got \"CW\""),
                Arguments.of("{\"shape\":[2,3],\"dim_names\":[\"C\",1]}", p + "dim_names: must be an array of strings, got [\"C\",1]"),
                Arguments.of("{\"shape\":[2,3],\"permutation\":[0]}", p + "permutation: must be a permutation of 0..1 (rank 2), got [0]"),
                Arguments.of("{\"shape\":[2,3],\"permutation\":[1,1]}", p + "permutation: must be a permutation of 0..1 (rank 2), got [1, 1]"),
                Arguments.of("{\"shape\":[2,3],\"permutation\":[0,2]}", p + "permutation: must be a permutation of 0..1 (rank 2), got [0, 2]"),
                Arguments.of("{\"shape\":[2,3],\"permutation\":{}}", p + "permutation: must be an array of non-negative integers, got {}"),
                Arguments.of("{\"shape\":[2],\"shape\":[3]}", p + "not valid JSON: {\"shape\":[2],\"shape\":[3]}"));
    }

    @ParameterizedTest
    @MethodSource("invalidMetadata")
    void rejectsInvalidMetadataNamingTheField(String metadata, String message) {
        TensorFormatException e = assertThrows(TensorFormatException.class, () -> FixedShapeTensorType.parse(metadata));
        assertEquals(message, e.getMessage());
        assertInstanceOf(InputException.class, e);
    }

    @Test
    void rejectsStorageThatDoesNotMatchTheShape() {
        FixedShapeTensorType prototype = FixedShapeTensorType.of();
        TensorFormatException size = assertThrows(TensorFormatException.class,
                () -> prototype.deserialize(new ArrowType.FixedSizeList(191), "{\"shape\":[3,8,8]}"));
        assertEquals("arrow.fixed_shape_tensor metadata: shape: product 192 of [3, 8, 8] != storage list size 191", size.getMessage());
        TensorFormatException storage = assertThrows(TensorFormatException.class,
                () -> prototype.deserialize(new ArrowType.Int(64, true), "{\"shape\":[3]}"));
        assertEquals("arrow.fixed_shape_tensor: storage must be a FixedSizeList, got Int(64, true)", storage.getMessage());
    }

    @Test
    void ensureRegisteredIsIdempotent() {
        FixedShapeTensorType.ensureRegistered();
        ArrowType.ExtensionType first = ExtensionTypeRegistry.lookup(FixedShapeTensorType.NAME);
        FixedShapeTensorType.ensureRegistered();
        assertSame(first, ExtensionTypeRegistry.lookup(FixedShapeTensorType.NAME));
    }

    @Test
    void withShapeKeepsNamesOfTheSameRankAndAnIdentityPermutation() {
        FixedShapeTensorType source = new FixedShapeTensorType(new int[] {3, 8, 8}, List.of("C", "H", "W"), new int[] {0, 1, 2});
        assertEquals("{\"shape\":[4,6,6],\"permutation\":[0,1,2],\"dim_names\":[\"C\",\"H\",\"W\"]}", source.withShape(new int[] {4, 6, 6}).serialize());
        assertEquals("{\"shape\":[10],\"permutation\":[0]}", source.withShape(new int[] {10}).serialize());
        assertEquals("{\"shape\":[10]}", FixedShapeTensorType.of(3).withShape(new int[] {10}).serialize());
    }

    @Test
    void schemaRoundTripsThroughAnIpcFile(@TempDir Path dir) throws IOException {
        FixedShapeTensorType type = new FixedShapeTensorType(new int[] {2, 3}, List.of("C", "W"), new int[] {0, 1});
        Path file = dir.resolve("t.arrow");
        float[] data = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
        TensorFileWriter.writeFile(file, new long[] {7, 9}, data, type.shape(), 1, allocator);
        try (TensorFileReader reader = TensorFileReader.open(file, allocator)) {
            Field field = reader.schema().findField("tensor");
            assertEquals(FixedShapeTensorType.of(2, 3), field.getType());
            assertEquals(FixedShapeTensorType.ITEM_FIELD, field.getChildren().get(0).getName());
            assertEquals(FixedShapeTensorType.FLOAT32, field.getChildren().get(0).getType());
        }
        // a field built from the type survives Schema's own flatbuffer round trip
        Schema schema = new Schema(List.of(type.toField("tensor", true)));
        assertEquals(schema, Schema.deserializeMessage(java.nio.ByteBuffer.wrap(schema.serializeAsMessage())));
    }

    /** Our serialisation reproduces pyarrow's metadata bytes for every conformance file. */
    @Test
    void reproducesPyarrowMetadataOfConformanceFiles() throws IOException {
        List<Path> files;
        try (Stream<Path> cases = Files.list(GoldenTensors.conformanceDir())) {
            files = cases.flatMap(c -> Stream.of(c.resolve("input.arrow"), c.resolve("expected.arrow"))).filter(Files::exists).sorted().toList();
        }
        assertTrue(files.size() >= 40, "conformance files found: " + files.size());
        for (Path file : files) {
            String raw = rawExtensionMetadata(file);
            FixedShapeTensorType parsed = FixedShapeTensorType.parse(raw);
            assertEquals(raw, parsed.serialize(), file.toString());
        }
    }

    /** The metadata string exactly as stored, read with the extension unregistered. */
    private String rawExtensionMetadata(Path file) throws IOException {
        FixedShapeTensorType.ensureRegistered();
        ArrowType.ExtensionType registered = ExtensionTypeRegistry.lookup(FixedShapeTensorType.NAME);
        ExtensionTypeRegistry.unregister(registered);
        try (var channel = Files.newByteChannel(file); ArrowFileReader reader = new ArrowFileReader(channel, allocator)) {
            Field field = reader.getVectorSchemaRoot().getSchema().findField("tensor");
            assertEquals(FixedShapeTensorType.NAME, field.getMetadata().get(ArrowType.ExtensionType.EXTENSION_METADATA_KEY_NAME));
            return field.getMetadata().get(ArrowType.ExtensionType.EXTENSION_METADATA_KEY_METADATA);
        } finally {
            FixedShapeTensorType.ensureRegistered();
        }
    }
}
