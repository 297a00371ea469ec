package io.convjob.torch;

import io.convjob.io.WeightFormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;

import static io.convjob.torch.TorchCheckpointTest.pickle;
import static io.convjob.torch.TorchCheckpointTest.str;
import static io.convjob.torch.TorchCheckpointTest.writeCheckpoint;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pickles built to exhaust the stack: a pickle is a stack machine, so a few bytes an opcode nest values arbitrarily
 * deep, and anything that recurses over them (hashing a key, printing a value, flattening dicts) must not.
 */
class TorchCheckpointLimitsTest {
    @TempDir Path tmp;

    private String refusal(byte[] pkl) throws IOException {
        Path file = tmp.resolve("crafted.pt");
        writeCheckpoint(file, pkl);
        String message = assertThrows(WeightFormatException.class, () -> TorchCheckpoint.open(file)).getMessage();
        assertTrue(message.startsWith(file + ": "), message);
        assertTrue(message.length() < 300, message.length() + " chars: " + message);
        return message.substring(file.toString().length() + 2);
    }

    @Test
    void aListAsADictKeyIsRefusedBeforeItIsHashed() throws IOException {
        // a list that contains itself, used as a key: hashing it recursed without end (StackOverflowError)
        byte[] pkl = pickle("}", "]", "\u0094", "h\u0000", "a", "N", "s", ".");
        assertEquals("crafted/data.pkl: pickle uses a list as a dict key (a state dict's keys are strings) (at byte 8)",
                refusal(pkl));
    }

    @Test
    void aPersistentIdOfDeeplyNestedTuplesIsDescribedShallowly() throws IOException {
        // printing the refused id recursed once per tuple level (StackOverflowError)
        byte[] pkl = pickle("N", "\u0085".repeat(200_000), "Q", ".");
        assertEquals("refused: persistent id a tuple of 1 is not a storage", refusal(pkl));
    }

    @Test
    void dictsNestedBeyondTheLimitAreRefusedByName() throws IOException {
        int depth = TorchCheckpoint.MAX_DICT_NESTING + 10;
        StringBuilder ops = new StringBuilder("}");
        for (int i = 0; i < depth; i++) ops.append(str("k")).append("}");
        ops.append("s".repeat(depth)).append(".");
        String message = refusal(pickle(ops.toString()));
        assertTrue(message.startsWith("dicts nest deeper than the limit of " + TorchCheckpoint.MAX_DICT_NESTING
                + " levels (at key 'k.k.k."), message);
    }
    @Test
    void anEmptyViewStartingBeyondItsStorageIsRefused() throws IOException {
        // shape (0,) at offset 10 of a 2-element storage: the bounds check skipped empty views and the copy threw
        // ArrayIndexOutOfBoundsException (exit 1)
        byte[] pkl = pickle("}", str("w"), "ctorch._utils\n_rebuild_tensor_v2\n", "(",
                "(", str("storage"), "ctorch\nFloatStorage\n", str("0"), str("cpu"), "K\u0002", "t", "Q",
                "K\n", "K\u0000\u0085", "K\u0001\u0085", "\u0089", "}", "t", "R", "s", ".");
        Path file = tmp.resolve("empty-view.pt");
        try (java.util.zip.ZipOutputStream zip = new java.util.zip.ZipOutputStream(java.nio.file.Files.newOutputStream(file))) {
            zip.putNextEntry(new java.util.zip.ZipEntry("crafted/data.pkl"));
            zip.write(pkl);
            zip.closeEntry();
            zip.putNextEntry(new java.util.zip.ZipEntry("crafted/data/0"));
            zip.write(new byte[8]);
            zip.closeEntry();
        }
        TorchCheckpoint checkpoint = TorchCheckpoint.open(file);
        WeightFormatException e = assertThrows(WeightFormatException.class, () -> checkpoint.read("w"));
        assertEquals(file + ": key 'w' reaches element 10 of a storage of 2", e.getMessage());
    }

    @Test
    void aDeflatedEntryDeclaringMoreThanDeflateCanYieldIsRefusedBeforeItIsAllocated() throws IOException {
        Path file = deflatedPickleDeclaring(2_000_000_000L);
        String message = assertThrows(WeightFormatException.class, () -> TorchCheckpoint.open(file)).getMessage();
        assertTrue(message.matches(java.util.regex.Pattern.quote(file + ": entry crafted/data.pkl declares 2000000000 bytes from ")
                + "\\d+" + java.util.regex.Pattern.quote(" compressed, beyond deflate's largest ratio (1032:1) (corrupt)")), message);
    }

    @Test
    void aDeflatedEntryInflatingToOtherThanItsDeclaredSizeIsRefused() throws IOException {
        int actual = validPickle().length;
        Path longer = deflatedPickleDeclaring(actual + 5);
        assertEquals(longer + ": entry crafted/data.pkl inflates to " + actual + " bytes, not the declared " + (actual + 5)
                + " (corrupt)", assertThrows(WeightFormatException.class, () -> TorchCheckpoint.open(longer)).getMessage());
        Path shorter = deflatedPickleDeclaring(actual - 1);
        assertEquals(shorter + ": entry crafted/data.pkl inflates beyond its declared size (corrupt)",
                assertThrows(WeightFormatException.class, () -> TorchCheckpoint.open(shorter)).getMessage());
    }

    @Test
    void aDeflatedEntryOfItsDeclaredSizeIsRead() throws IOException {
        Path file = deflatedPickleDeclaring(validPickle().length);
        assertEquals(java.util.List.of("w"), java.util.List.copyOf(TorchCheckpoint.open(file).keys()));
    }

    /** The pickle of {@code {'w': 1}}: a valid state dict without tensors, all the zip tests need. */
    private static byte[] validPickle() {
        return pickle("}", str("w"), "K\u0001", "s", ".");
    }

    /** A checkpoint whose deflated data.pkl the central directory says inflates to {@code declared} bytes. */
    private Path deflatedPickleDeclaring(long declared) throws IOException {
        Path file = tmp.resolve("deflated-" + declared + ".pt");
        try (java.util.zip.ZipOutputStream zip = new java.util.zip.ZipOutputStream(java.nio.file.Files.newOutputStream(file))) {
            zip.putNextEntry(new java.util.zip.ZipEntry("crafted/data.pkl"));
            zip.write(validPickle());
            zip.closeEntry();
        }
        byte[] bytes = java.nio.file.Files.readAllBytes(file);
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        int central = -1;
        for (int i = bytes.length - 46; i >= 0 && central < 0; i--) if (b.getInt(i) == 0x02014b50) central = i;
        assertTrue(central >= 0, "no central directory entry");
        b.putInt(central + 24, (int) declared);
        java.nio.file.Files.write(file, bytes);
        return file;
    }
}
