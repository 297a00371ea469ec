package io.convjob.arrow;

import io.convjob.error.InputException;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.util.ByteArrayReadableSeekableByteChannel;

/**
 * The property both Arrow fuzz tests check: reading arbitrary bytes as a tensor file (file or stream format, told
 * apart by the magic as the reader does) gives batches whose tensors copy out, or a bad-input error with a usable
 * message; never another throwable, and never memory left in the allocator (which Arrow reports as
 * {@code Memory was leaked}).
 */
public final class TensorFileFuzzing {
    /** Caps what one input may allocate, so a size in a header that is not checked shows as a finding, not a slow run. */
    static final long ALLOCATOR_LIMIT = 64L << 20;
    /** Longer than any one-line message should be. */
    static final int MAX_MESSAGE_CHARS = 2000;

    private TensorFileFuzzing() {}

    static void check(byte[] data) {
        try (BufferAllocator root = new RootAllocator(ALLOCATOR_LIMIT)) {
            try {
                readAll(data, root);
            } catch (InputException e) {
                requireUsableMessage(e, data);
            }
            if (root.getAllocatedMemory() != 0) {
                throw new AssertionError("the reader left " + root.getAllocatedMemory() + " bytes allocated: "
                        + root.toVerboseString());
            }
        } // RootAllocator.close throws IllegalStateException ("Memory was leaked") if a child was left open
    }

    private static void readAll(byte[] data, BufferAllocator root) {
        try (TensorFileReader reader = TensorFileReader.open("fuzz.arrow",
                () -> new ByteArrayReadableSeekableByteChannel(data), root, TensorFileReader.DEFAULT_COLUMN, null)) {
            // inputs of odd length are read in slices of 3 rows (BatchSlicer), the others a record batch at a time
            if ((data.length & 1) == 1) reader.readInSlices(3);
            long expectedRows = reader.rowCount();
            long rows = 0;
            while (reader.loadNextBatch()) {
                // a loaded batch holds its floats in the allocator (at most ALLOCATOR_LIMIT), so this array is bounded too
                long values = (long) reader.batchRows() * reader.elementCount();
                if (values > ALLOCATOR_LIMIT / Float.BYTES) {
                    throw new AssertionError("batch " + reader.batchIndex() + " loaded with " + values + " floats, more than"
                            + " its buffers can hold");
                }
                reader.copyTensors(new float[(int) values], 0);
                rows += reader.batchRows();
            }
            if (rows != expectedRows) throw new AssertionError("rowCount() " + expectedRows + " but read " + rows + " rows");
        }
    }

    /** As kernels' BadInputProperty: a message, of bounded length, with no {@code null} for a missing detail. */
    public static void requireUsableMessage(InputException e, byte[] input) {
        String m = e.getMessage();
        boolean inputSaysNull = new String(input, java.nio.charset.StandardCharsets.ISO_8859_1).contains("null");
        if (m == null || m.isBlank() || (!inputSaysNull && (m.contains("(null)") || m.endsWith(": null")))) {
            throw new AssertionError("bad-input message is empty or null: '" + m + "'", e);
        }
        if (m.length() > MAX_MESSAGE_CHARS) {
            throw new AssertionError("bad-input message of " + m.length() + " chars: " + m.substring(0, 300), e);
        }
    }
}
