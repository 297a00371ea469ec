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
}
