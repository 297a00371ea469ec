package io.convjob.arrow;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Damaged Arrow files and streams (issue 9, finding 4 and what the fuzz tests found): each is refused with one line
 * naming the file and the message, and nothing stays allocated (Arrow logs {@code Memory was leaked} otherwise).
 * The inputs are pyarrow's (the fuzz seeds, written by .ci/fuzz-seeds.py) cut or as fuzzing left them.
 */
class TensorFileDamageTest {
    @TempDir Path dir;

    private static byte[] resource(String path) throws IOException {
        try (InputStream in = TensorFileDamageTest.class.getResourceAsStream(path)) {
            return in.readAllBytes();
        }
    }

    /** Opens and reads every batch of {@code bytes}; returns the refusal, asserting the allocator ends empty. */
    private String refusal(String name, byte[] bytes) throws IOException {
        return IpcStructureTestSupport.refusal(dir, name, bytes);
    }

    private static final String STREAM = "ArrowStreamFuzzTestInputs/stream/tensor_3_batches.arrows";

    @Test
    void aStreamCutInsideItsEndMarkerIsRefusedNotAnInternalError() throws IOException {
        // before: IllegalArgumentException "capacity < 0", exit 1
        byte[] stream = resource(STREAM);
        String message = refusal("cut.arrows", Arrays.copyOf(stream, stream.length - 4));
        assertTrue(message.matches("message 4 \\(at byte \\d+\\): the stream ends inside its 8-byte prefix \\(continuation"
                + " marker and length\\) \\(4 bytes left; cut short\\?\\)"), message);
    }

    @Test
    void aStreamCutAtABatchBoundaryIsRefusedWithTheRowsItHolds() throws IOException {
        // before: exit 0 with the rows before the cut and no word of the rest
        byte[] stream = resource(STREAM);
        long[] ends = IpcStructureTestSupport.messageEnds(stream); // schema, 3 batches, end marker
        assertEquals(5, ends.length);
        String message = refusal("cut.arrows", Arrays.copyOf(stream, (int) ends[2]));
        assertEquals("the Arrow stream ends after 4 rows in 2 record batches without its end-of-stream marker: it was cut"
                + " short, or its writer was never closed, so rows may be missing (write it again and close the writer,"
                + " or use the Arrow IPC file format)", message);
    }

    @Test
    void aWholeStreamWithItsEndMarkerReadsEveryRow() throws IOException {
        Path file = Files.write(dir.resolve("whole.arrows"), resource(STREAM));
        try (BufferAllocator root = new RootAllocator(); TensorFileReader reader = TensorFileReader.open(file, root)) {
            assertEquals(6, reader.rowCount());
            long rows = 0;
            while (reader.loadNextBatch()) rows += reader.batchRows();
            assertEquals(6, rows);
        }
    }

    @Test
    void aStreamDeclaringABodyBeyondItsBytesIsRefusedBeforeArrowAllocatesIt() throws IOException {
        byte[] stream = resource(STREAM);
        long[] ends = IpcStructureTestSupport.messageEnds(stream);
        // the first batch's body length (a little-endian long in its metadata) raised to ~2^40
        byte[] flipped = IpcStructureTestSupport.withBodyLength(stream, ends[0], 1L << 40);
        String message = refusal("huge.arrows", flipped);
        assertTrue(message.matches("message 1 \\(at byte \\d+\\): declares a body of 1099511627776 bytes but \\d+ bytes remain"
                + " \\(cut short\\?\\)"), message);
    }

    @Test
    void bitFlippedFilesFoundByFuzzingLeakNothing() throws IOException {
        // before: exit 2 but "ERROR BaseAllocator: Memory was leaked" and, for one, the message "(null)"
        String leak = refusal("flip.arrow", resource("ArrowFileFuzzTestInputs/file/finding-leak-bad-compression-table.arrow"));
        assertTrue(leak.matches("record batch 2 \\(at byte \\d+\\): malformed metadata \\(IndexOutOfBoundsException\\)"), leak);
        String rows = refusal("rows.arrow", resource("ArrowFileFuzzTestInputs/file/finding-rows-beyond-tensor-values.arrow"));
        assertEquals("record batch 2 (at byte 1032): claims 2306 rows, more than its 64-byte body holds", rows);
        // a row count of 2^30 in a 32-byte body: Arrow sized the tensor column's validity bitmap by it (OutOfMemoryException)
        String huge = refusal("huge-rows.arrow", resource("ArrowFileFuzzTestInputs/file/finding-rows-beyond-body.arrow"));
        assertEquals("record batch 0 (at byte 192): claims 1073741826 rows, more than its 32-byte body holds", huge);
    }

    @Test
    void aSchemaWhoseFieldIsItsOwnChildIsRefusedNotAStackOverflow() throws IOException {
        // found by the stream fuzz target: Arrow's Field.convertField recursed without end (StackOverflowError)
        String message = refusal("cycle.arrows", resource("ArrowStreamFuzzTestInputs/stream/finding-schema-field-cycle.arrows"));
        assertEquals("not a readable Arrow IPC file or stream (message 0: the schema nests fields deeper than the limit of "
                + IpcStructure.MAX_FIELD_NESTING + " levels)", message);
    }
    @Test
    void aFieldClaimingMoreValuesThanItsBodyHoldsIsRefusedBeforeArrowAllocatesItsBitmap() throws IOException {
        // found by the stream fuzz target: a bit flip made a field node claim 2^30 values in a 64-byte body; Arrow
        // allocated a 128 MiB validity bitmap for it (OutOfMemoryException past the allocator's limit) and leaked
        String message = refusal("flip.arrows", resource("ArrowStreamFuzzTestInputs/stream/finding-field-length-beyond-body.arrows"));
        assertEquals("message 2 (at byte 736): field node 2 claims 1073741836 values, more than its 64-byte body holds", message);
    }
    @Test
    void theLastLongRunsFindingsAreRefusedWithoutLeaksOrOutOfMemory() throws IOException {
        // a Union field declaring 269746192 type ids in a 216-byte footer: Arrow allocated the int[] (OutOfMemoryError)
        assertEquals("not a readable Arrow IPC file or stream (the footer: malformed schema (a field declares 1 children,"
                + " 0 metadata entries, 269746192 union type ids in 216 bytes))",
                refusal("union.arrow", resource("ArrowFileFuzzTestInputs/file/finding-union-type-ids-oom.arrow")));
        // a second schema message inside a stream: Arrow read its body, then failed without releasing it (64 bytes)
        assertEquals("message 2 (at byte 736): a message of type 1 where a record batch or dictionary batch must be",
                refusal("second-schema.arrows", resource("ArrowStreamFuzzTestInputs/stream/finding-leak-second-schema.arrows")));
        // a (legacy-framed) stream whose schema has no columns: Arrow left 32 bytes allocated
        assertEquals("not a readable Arrow IPC file or stream (message 0: the schema has no columns)",
                refusal("no-columns.arrows", resource("ArrowFileFuzzTestInputs/file/finding-leak-no-columns.arrow")));
    }

    @Test
    void compressedBatchesTrustingTheirDeclaredSizesAreRefusedWithoutLeaksOrOutOfMemory() throws IOException {
        // run5 (bit flips in LZ4 batches): Arrow trusted each buffer's declared uncompressed length and the row count;
        // an OutOfMemoryError (a byte[] of 4519260908836974071 bytes), "Negative initial size" with 512 bytes leaked,
        // and a column whose 2 values Arrow re-allocated to the batch's 101 rows, leaking 128 bytes
        for (String name : List.of("finding-compressed-length-oom.arrow", "finding-compressed-length-oom-2.arrow",
                "finding-compressed-negative-length.arrow", "finding-compressed-slow-unit.arrow")) {
            assertEquals("cannot read record batch 0 (column 'id' has 2 values in a record batch of 0 rows)",
                    refusal(name, resource("ArrowFileFuzzTestInputs/file/" + name)));
        }
        assertEquals("cannot read record batch 0 (column 'id' has 2 values in a record batch of 101 rows)",
                refusal("leak.arrows", resource("ArrowStreamFuzzTestInputs/stream/finding-compressed-index-leak.arrows")));
        // the run's last inputs (the run was stopped with them): refused, nothing left allocated
        assertEquals("not a readable Arrow IPC file or stream (the footer: malformed (IndexOutOfBoundsException))",
                refusal("last.arrow", resource("ArrowFileFuzzTestInputs/file/finding-compressed-run5-last.arrow")));
        assertEquals("cannot read record batch 0 (column 'tensor.item' has 8 values, fewer than the 7733256 its parent's"
                + " values need)", refusal("last.arrows", resource("ArrowStreamFuzzTestInputs/stream/finding-compressed-run5-last.arrows")));
    }

    @Test
    void aDictionaryBatchWithoutItsRecordBatchIsRefusedWithoutALeak() throws IOException {
        // run6: Arrow read the message's body, then failed on the missing batch (NullPointerException) and leaked 128 bytes
        assertEquals("message 1 (at byte 416): a dictionary batch without its record batch",
                refusal("dict.arrows", resource("ArrowStreamFuzzTestInputs/stream/finding-leak-run6.arrows")));
    }

    @Test
    void aFixedSizeListWhoseChildHoldsFewerValuesThanItsRowsNeedIsRefusedWithoutALeak() throws IOException {
        // run6: Arrow set the child's value count from the list's, re-allocated the short child and leaked 128 bytes
        assertEquals("cannot read record batch 0 (column 'tensor.item' has 12 values, fewer than the 2113929228 its"
                + " parent's values need)", refusal("child.arrow", resource("ArrowFileFuzzTestInputs/file/finding-leak-run6-child-values.arrow")));
    }
}
