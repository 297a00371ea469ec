package io.convjob.torch;

import io.convjob.error.InputException;
import io.convjob.io.NamedTensor;
import io.convjob.io.WeightFormatException;
import io.convjob.spec.ModelSpec;
import io.convjob.spec.SpecParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad checkpoints, real ones from PyTorch ({@code torch_cases.py}, {@code bad/}) and crafted ones: one line each. */
class TorchCheckpointTest {

    @TempDir Path tmp;

    private static Path bad(String name) { return TorchCases.dir().resolve("bad").resolve(name); }

    private static ModelSpec badSpec() { return SpecParser.parse(bad("spec.json")); }

    private static String load(Path file) {
        return assertThrows(InputException.class, () -> TorchWeights.load(badSpec(), file)).getMessage();
    }

    @Test
    void aMaliciousCheckpointFromPyTorchIsRefusedAndNothingRuns() {
        Path marker = bad("pwned");
        assertEquals(bad("evil.pt") + ": refused: the pickle names 'posix.system' (not something a state dict holds;"
                + " nothing was executed)", load(bad("evil.pt")));
        assertFalse(Files.exists(marker), "the payload ran");
    }

    @Test
    void craftedPicklesAreRefusedWithoutRunningAnything() throws IOException {
        Path marker = tmp.resolve("pwned");
        String touch = "touch " + marker;
        // GLOBAL builtins.eval, REDUCE
        assertRefused(pickle("\u0080\u0002cbuiltins\neval\n", str(touch), "\u0085R."),
                "refused: the pickle names 'builtins.eval' (not something a state dict holds; nothing was executed)");
        // STACK_GLOBAL (protocol 4) subprocess.Popen
        assertRefused(pickle("\u0080\u0004", str("subprocess"), str("Popen"), "\u0093", str(touch), "\u0085R."),
                "refused: the pickle names 'subprocess.Popen' (not something a state dict holds; nothing was executed)");
        // INST opcode: instantiate a class by name
        assertRefused(pickle("(ios\nsystem\n", str(touch), "."),
                "refused: opcode 0x69 (INST) at byte 1 is not allowed (a state dict needs only dicts, tensors and plain values)");
        // NEWOBJ on an allowed global
        assertRefused(pickle("\u0080\u0002ccollections\nOrderedDict\n)\u0081."),
                "refused: opcode 0x81 (NEWOBJ) at byte 28 is not allowed (a state dict needs only dicts, tensors and plain values)");
        // calling something the allow-list returned as a value, not as a callable
        assertRefused(pickle("\u0080\u0002ctorch\nFloatStorage\n)R."),
                "refused: calls torch.FloatStorage, which is not an allowed callable");
        // BUILD on a tensor rebuild function's result is not an OrderedDict's attributes
        assertRefused(pickle("\u0080\u0002]}b."), "refused: sets state on a list (only an OrderedDict's attributes may be set)");
        // a dict holding itself: refused, not a stack overflow
        assertRefused(pickle("\u0080\u0002}q\u0000", str("a"), "h\u0000s."), "key 'a' holds a dict that contains itself");
        assertFalse(Files.exists(marker), "a payload ran");
    }

    @Test
    void aWholePickledModelIsNotAStateDict() {
        assertEquals(bad("full_model.pt") + ": refused: the pickle names 'torch.nn.modules.container.Sequential' (a whole"
                + " pickled model, not a state dict: save model.state_dict() instead)", load(bad("full_model.pt")));
    }

    @Test
    void anIntegerTensorIsNamedByKey() {
        assertEquals(bad("int64.pt") + ": key '0.weight' is a tensor of int64 (torch.LongStorage); supported: float32,"
                + " float16, bfloat16, float64", load(bad("int64.pt")));
    }

    @Test
    void missingExtraAndMisshapenKeys() {
        assertEquals(bad("missing.pt") + ": key '2.bias' is missing, the bias of layers[2] (Conv2d) (bias=true)",
                load(bad("missing.pt")));
        assertEquals(bad("extra.pt") + ": key '3.weight' matches no layer of the spec; use --weights-prefix to pick a"
                + " sub-module", load(bad("extra.pt")));
        assertEquals(bad("shape.pt") + ": key '2.weight' has shape [2, 4, 3, 3], layers[2] (Conv2d) needs [2, 4, 1, 1]",
                load(bad("shape.pt")));
        assertEquals(bad("shape.safetensors") + ": key '2.weight' has shape [2, 4, 3, 3], layers[2] (Conv2d) needs"
                + " [2, 4, 1, 1]", load(bad("shape.safetensors")));
    }

    @Test
    void aTrainingCheckpointNeedsItsPrefix() {
        assertEquals(bad("nested.pt") + ": key '0.weight' is missing, the weight of layers[0] (Conv2d); the file has"
                + " 'model.0.weight', 'model.0.bias', 'model.2.weight', ... (5 keys)", load(bad("nested.pt")));
        ModelSpec spec = badSpec().withWeightsPrefix("model.");
        assertEquals(2, TorchWeights.fromStateDict(spec, TorchWeights.open(bad("nested.pt"))).size());
        assertEquals(bad("nested.pt") + ": no key starts with the weights prefix 'features.'; the file has"
                        + " 'model.0.weight', 'model.0.bias', 'model.2.weight', ... (5 keys)",
                assertThrows(InputException.class, () -> TorchWeights.load(badSpec().withWeightsPrefix("features."),
                        bad("nested.pt"))).getMessage());
    }

    @Test
    void truncatedAndCorruptFiles() throws IOException {
        byte[] good = Files.readAllBytes(bad("good.pt"));
        for (int keep : new int[] {0, 10, good.length / 2, good.length - 1}) {
            Path cut = tmp.resolve("cut" + keep + ".pt");
            Files.write(cut, Arrays.copyOf(good, keep));
            assertEquals(cut + ": no zip end-of-central-directory record (truncated, or not a zip)", load(cut));
        }
        // flip one byte of the first storage: the CRC catches it
        TorchCheckpoint checkpoint = TorchCheckpoint.open(bad("good.pt"));
        NamedTensor weight = checkpoint.read("0.weight");
        byte[] corrupt = good.clone();
        int at = indexOf(good, floatBytes(weight.data()[0]));
        corrupt[at] ^= 0x55;
        Path damaged = tmp.resolve("damaged.pt");
        Files.write(damaged, corrupt);
        assertTrue(load(damaged).startsWith(damaged + ": key '0.weight': entry good/data/0 fails its CRC check"));
        Path text = tmp.resolve("notes.pt");
        Files.writeString(text, "not a checkpoint at all");
        assertEquals(text + ": no zip end-of-central-directory record (truncated, or not a zip)", load(text));
    }

    @Test
    void aLegacyCheckpointGetsAHint() {
        assertEquals(bad("legacy.pt") + ": a legacy (pre-1.6) torch.save file; re-save it with torch.save(state_dict,"
                + " path) from PyTorch 1.6 or later", load(bad("legacy.pt")));
    }

    @Test
    void aMissingFile() {
        Path none = tmp.resolve("none.pt");
        assertEquals(none + ": no such file", load(none));
    }

    private void assertRefused(byte[] pkl, String expected) throws IOException {
        Path file = tmp.resolve("crafted.pt");
        writeCheckpoint(file, pkl);
        assertEquals(file + ": " + expected, load(file));
    }

    /** A zip laid out as torch.save lays it out, holding only the given pickle. */
    static void writeCheckpoint(Path file, byte[] pkl) throws IOException {
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(file))) {
            ZipEntry entry = new ZipEntry("crafted/data.pkl");
            entry.setMethod(ZipEntry.STORED);
            entry.setSize(pkl.length);
            CRC32 crc = new CRC32();
            crc.update(pkl);
            entry.setCrc(crc.getValue());
            zip.putNextEntry(entry);
            zip.write(pkl);
            zip.closeEntry();
        }
    }

    /** Pickle bytes from opcode text (chars < 256 are bytes) and {@link #str} pieces. */
    static byte[] pickle(String... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String p : parts) out.writeBytes(p.getBytes(StandardCharsets.ISO_8859_1));
        return out.toByteArray();
    }

    /** SHORT_BINUNICODE of an ASCII string. */
    static String str(String s) {
        return "\u008c" + (char) s.length() + s;
    }

    private static byte[] floatBytes(float f) {
        int bits = Float.floatToIntBits(f);
        return new byte[] {(byte) bits, (byte) (bits >> 8), (byte) (bits >> 16), (byte) (bits >> 24)};
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) if (haystack[i + j] != needle[j]) continue outer;
            return i;
        }
        throw new AssertionError("not found");
    }
}
