package io.convjob.arrow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.compression.CompressionUtil;
import org.apache.arrow.vector.ipc.message.ArrowBodyCompression;
import org.apache.arrow.vector.ipc.message.ArrowFieldNode;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Compressed (LZ4_FRAME, ZSTD) record batches whose buffers lie about their uncompressed length (the 8-byte prefix of
 * each compressed buffer), as the long fuzz run found: Arrow trusted it (an OutOfMemoryError from a 1834-byte file, a
 * negative size, leaks). The files are pyarrow's ({@code compressed_ipc.py}: batches of 3 rows of [2, 3] floats, an
 * int64 {@code id} column first, so buffer 4 is the tensor values) with one prefix patched; each is refused with one
 * line naming the buffer and its sizes, and nothing stays allocated.
 */
class CompressedBatchSizeTest {
    @TempDir static Path pyarrowFiles;
    @TempDir Path dir;

    /** Buffers of a batch: id validity, id values, tensor validity, tensor.item validity, tensor.item values. */
    private static final int VALUES = 4;

    @BeforeAll
    static void writeWithPyarrow() throws Exception {
        CompressedIpcInteropTest.python("write", pyarrowFiles.toString());
    }

    private String refusal(String name, byte[] bytes) throws IOException {
        return IpcStructureTestSupport.refusal(dir, name, bytes);
    }

    private static byte[] patched(String pyarrowFile, int batch, int buffer, long declared) throws IOException {
        byte[] bytes = Files.readAllBytes(pyarrowFiles.resolve(pyarrowFile));
        return IpcStructureTestSupport.withLong(bytes, IpcStructureTestSupport.bufferAt(bytes, batch, buffer), declared);
    }

    @ParameterizedTest
    @ValueSource(strings = {"py-lz4.arrow", "py-zstd.arrow", "py-lz4.arrows", "py-zstd.arrows"})
    void aLengthBeyondWhatTheFieldNodeImpliesIsRefusedBeforeAnythingIsAllocated(String name) throws IOException {
        // batch 1 (rows 3-5): 3 rows x 6 floats = 72 bytes of values
        assertEquals("cannot read record batch 1 (buffer 4, the values of column 'tensor.item', declares 1099511627776"
                        + " bytes uncompressed, but its field node implies 72 bytes)",
                refusal(name, patched(name, 1, VALUES, 1L << 40)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"py-lz4.arrow", "py-zstd.arrows"})
    void aNegativeLengthIsRefused(String name) throws IOException {
        // before: IllegalArgumentException "Negative initial size" inside Arrow's LZ4 codec, and 512 bytes leaked
        assertEquals("cannot read record batch 0 (buffer 4, the values of column 'tensor.item', declares the negative"
                + " uncompressed length -5)", refusal(name, patched(name, 0, VALUES, -5)));
    }

    @Test
    void aLengthShortOfWhatTheValuesNeedIsRefusedBeforeDecompressing() throws IOException {
        // Arrow's vectors would read 72 bytes from a 64-byte buffer (or re-allocate it, leaking on failure)
        assertEquals("cannot read record batch 0 (buffer 4, the values of column 'tensor.item', has 64 bytes, fewer than"
                + " the 72 its values need)", refusal("short.arrow", patched("py-lz4.arrow", 0, VALUES, 64)));
    }

    @Test
    void aBufferDecompressingToOtherThanItDeclaresIsRefused() throws IOException {
        // 80 is within what the node allows (72, padded to 128), but the frame holds 72 bytes
        assertEquals("cannot read record batch 0 (buffer 4, the values of column 'tensor.item', decompresses to 72 bytes,"
                + " not the 80 it declares)", refusal("long.arrow", patched("py-lz4.arrow", 0, VALUES, 80)));
        String zstd = refusal("long.arrows", patched("py-zstd.arrows", 0, VALUES, 80));
        assertTrue(zstd.startsWith("cannot read record batch 0 (buffer 4, the values of column 'tensor.item', is not valid"
                + " ZSTD data: "), zstd);
    }

    @Test
    void theUnpatchedFilesReadWhole() throws IOException {
        for (String name : List.of("py-lz4.arrow", "py-zstd.arrow", "py-lz4.arrows", "py-zstd.arrows")) {
            try (BufferAllocator root = new RootAllocator();
                 TensorFileReader reader = TensorFileReader.open(pyarrowFiles.resolve(name), root)) {
                long rows = 0;
                while (reader.loadNextBatch()) rows += reader.batchRows();
                assertEquals(7, rows, name);
            }
        }
    }

    private static final Field FLOATS = new Field("x", FieldType.notNullable(new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE)), null);

    /** A hand-made LZ4 batch of one float column of {@code rows} values, whose data buffer has {@code stored} bytes. */
    private static String refusalOf(BufferAllocator allocator, int rows, long declared, int stored) {
        try (ArrowBuf validity = allocator.getEmpty(); ArrowBuf data = allocator.buffer(Math.max(8, stored))) {
            data.setZero(0, data.capacity());
            data.setLong(0, declared);
            data.writerIndex(stored);
            ArrowBodyCompression lz4 = new ArrowBodyCompression(CompressionUtil.CodecType.LZ4_FRAME.getType(),
                    org.apache.arrow.flatbuf.BodyCompressionMethod.BUFFER);
            try (ArrowRecordBatch batch = new ArrowRecordBatch(rows, List.of(new ArrowFieldNode(rows, 0)), List.of(validity, data), lz4)) {
                return assertThrows(TensorFormatException.class,
                        () -> CompressedBatches.decompress(batch, List.of(FLOATS), allocator)).getMessage();
            }
        }
    }

    @Test
    void aLengthBeyondTheCodecsLargestRatioIsRefused() {
        try (BufferAllocator allocator = new RootAllocator()) {
            // a million floats may need 4000000 bytes, but not from 10 bytes of LZ4 (at most 256:1)
            assertEquals("buffer 1, the values of column 'x', declares 4000000 bytes uncompressed from 10 compressed bytes,"
                    + " beyond LZ4_FRAME's largest ratio of 256:1", refusalOf(allocator, 1_000_000, 4_000_000, 18));
            // values the buffer cannot hold
            assertEquals("buffer 1, the values of column 'x', has 2 bytes, fewer than the 4000000000 its values need",
                    refusalOf(allocator, 1_000_000_000, 2, 18));
            assertEquals("buffer 1, the values of column 'x', has 3 bytes, fewer than its 8-byte uncompressed-length prefix",
                    refusalOf(allocator, 1, 0, 3));
            assertEquals(0, allocator.getAllocatedMemory());
        }
    }

    private static byte[] resource(String path) throws IOException {
        try (InputStream in = CompressedBatchSizeTest.class.getResourceAsStream(path)) {
            return in.readAllBytes();
        }
    }
}
