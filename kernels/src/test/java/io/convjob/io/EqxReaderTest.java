package io.convjob.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static io.convjob.io.TestFiles.assertSameBits;
import static io.convjob.io.TestFiles.assertWeightFormat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** equinox's tree_serialise_leaves files of the stack cases hold exactly their weights, as .npy records. */
class EqxReaderTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir Path dir;

    private static Path caseDir(String name) {
        return TestFiles.conformanceDir().resolve(name);
    }

    /** Tree order: each conv layer's weight, then its bias when it has one; activations contribute nothing. */
    private static List<String> leafNamesInTreeOrder(Path caseDir) throws IOException {
        JsonNode layers = JSON.readTree(caseDir.resolve("spec.json").toFile()).get("layers");
        List<String> names = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            if (!layers.get(i).has("in_channels")) continue;
            names.add("layers." + i + ".weight");
            if (layers.get(i).path("use_bias").asBoolean(true)) names.add("layers." + i + ".bias");
        }
        return names;
    }

    @ParameterizedTest
    @ValueSource(strings = {"stack_autoencoder2d", "stack_conv1d_tanh"})
    void leavesEqualTheCaseWeightsBitForBit(String caseName) throws IOException {
        Path caseDir = caseDir(caseName);
        List<NamedTensor> leaves = EqxReader.read(caseDir.resolve("model.eqx"));
        Map<String, NamedTensor> weights = SafetensorsReader.readAll(caseDir.resolve("weights.safetensors"));
        List<String> names = leafNamesInTreeOrder(caseDir);
        assertEquals(weights.keySet().size(), names.size(), "every weight is a leaf");
        assertEquals(names.size(), leaves.size(), "records in model.eqx");
        for (int i = 0; i < names.size(); i++) {
            NamedTensor expected = weights.get(names.get(i));
            NamedTensor leaf = leaves.get(i);
            assertEquals("leaf[" + i + "]", leaf.name());
            assertEquals("<f4", leaf.sourceDtype());
            assertArrayEquals(expected.shape(), leaf.shape(), names.get(i));
            assertSameBits(expected.data(), leaf.data(), names.get(i));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"stack_autoencoder2d", "stack_conv1d_tanh"})
    void rewritingTheLeavesWithNpyWriterReproducesTheFile(String caseName) throws IOException {
        Path model = caseDir(caseName).resolve("model.eqx");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (NamedTensor leaf : EqxReader.read(model)) NpyWriter.write(out, leaf.shape(), leaf.data());
        assertArrayEquals(Files.readAllBytes(model), out.toByteArray());
    }

    @Test
    void truncatedRecordIsNamedWithItsOffset() throws IOException {
        byte[] bytes = Files.readAllBytes(caseDir("stack_conv1d_tanh").resolve("model.eqx"));
        // record 1 (layers.0.bias, 4 floats) starts at 288; its data at 416
        Path file = TestFiles.write(dir, "model.eqx", Arrays.copyOf(bytes, 416 + 6));
        assertWeightFormat(file + ": record 1 at byte 288: truncated: data of shape (4, 1) <f4 needs 16 bytes, got 6",
                () -> EqxReader.read(file));
    }

    @Test
    void bytesAfterTheLastRecordMustBeARecord() throws IOException {
        byte[] bytes = Files.readAllBytes(caseDir("stack_conv1d_tanh").resolve("model.eqx"));
        Path file = TestFiles.write(dir, "model.eqx", TestFiles.concat(bytes, new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0}));
        assertWeightFormat(file + ": record 3 at byte " + bytes.length
                + ": not a .npy record: it does not start with \\x93NUMPY", () -> EqxReader.read(file));
    }

    /** A Python int leaf (AvgPool's reduction init) is a 0-d {@code <i8} record: read as its value. */
    @Test
    void integerScalarLeafIsReadAsItsValue() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        NpyWriter.write(out, new int[] {1}, new float[] {1});
        byte[] intLeaf = Arrays.copyOf(NpyWriter.preambleAndHeader(new int[] {}), 128 + 8);
        String header = new String(intLeaf, 10, 118, StandardCharsets.ISO_8859_1).replace("<f4", "<i8");
        System.arraycopy(header.getBytes(StandardCharsets.ISO_8859_1), 0, intLeaf, 10, 118);
        intLeaf[128] = 7; // little-endian int64 7
        Path file = TestFiles.write(dir, "model.eqx", TestFiles.concat(out.toByteArray(), intLeaf));
        var leaves = EqxReader.read(file);
        assertEquals(2, leaves.size());
        assertEquals(0, leaves.get(1).rank());
        assertEquals("<i8", leaves.get(1).sourceDtype());
        assertEquals(7f, leaves.get(1).data()[0]);
    }

    /** Integer arrays (not scalars) are still refused by name, never misread as floats. */
    @Test
    void integerArrayLeafIsRejectedByDtype() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        NpyWriter.write(out, new int[] {1}, new float[] {1});
        byte[] intLeaf = Arrays.copyOf(NpyWriter.preambleAndHeader(new int[] {2}), 128 + 16);
        String header = new String(intLeaf, 10, 118, StandardCharsets.ISO_8859_1).replace("<f4", "<i8");
        System.arraycopy(header.getBytes(StandardCharsets.ISO_8859_1), 0, intLeaf, 10, 118);
        Path file = TestFiles.write(dir, "model.eqx", TestFiles.concat(out.toByteArray(), intLeaf));
        assertWeightFormat(file + ": record 1 at byte 132: dtype '<i8' not supported; supported: "
                + "<f4, <f8, <f2, >f4, >f8, >f2", () -> EqxReader.read(file));
    }

    @Test
    void emptyFileHasNoLeaves() throws IOException {
        Path file = TestFiles.write(dir, "model.eqx", new byte[0]);
        assertTrue(EqxReader.read(file).isEmpty());
    }
}
