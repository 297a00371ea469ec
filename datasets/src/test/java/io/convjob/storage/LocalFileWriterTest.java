package io.convjob.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.nio.file.ExtendedOpenOption;
import io.convjob.arrow.TensorFileReader;
import io.convjob.arrow.TensorFileWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Local outputs with aligned blocks written around the page cache (O_DIRECT) where the file system allows it, and
 * through it where it does not: the same bytes either way, whole or not at all.
 */
class LocalFileWriterTest {
    private static final Path DEV_FULL = Path.of("/dev/full");
    private final Storage storage = Storage.standard();

    @Test
    void aDiskFileTakesAlignedBlocksDirectAndEverythingElseBufferedInOrder(@TempDir Path dir) throws IOException {
        assumeTrue(acceptsDirectIo(dir), dir + " refuses O_DIRECT on this machine");
        Path target = dir.resolve("out.bin");
        byte[] expected = pattern(3 * (4 << 20) + 12345);
        try (FileOutput out = FileOutput.create(storage, Storage.local(target), true)) {
            assertTrue(out.writesDirect());
            writeMixed(out.channel(), expected);
            assertTrue(out.writesDirect(), "a direct write failed on " + dir);
            out.commit();
        }
        assertArrayEquals(expected, Files.readAllBytes(target));
        assertEquals(List.of(target), list(dir)); // the temporary file was renamed, nothing else left
    }

    @Test
    void aFileSystemThatRefusesDirectIoGetsTheSameBytesThroughThePageCache(@TempDir Path dir) throws IOException {
        Path target = dir.resolve("out.bin");
        byte[] expected = pattern(2 * (4 << 20) + 777);
        // what the JDK throws when open(2) fails with EINVAL (tmpfs before Linux 6.6, some FUSE and network mounts)
        LocalFileWriter.DirectOpener refusing = file -> { throw new IOException(file + ": Invalid argument"); };
        try (FileChannel file = FileChannel.open(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
             LocalFileWriter writer = LocalFileWriter.open(target, file, refusing)) {
            assertFalse(writer.writesDirect());
            writeMixed(writer, expected);
            writer.force();
        }
        assertArrayEquals(expected, Files.readAllBytes(target));
    }

    @Test
    void aDirectWriteThatFailsHandsTheRestToThePageCache(@TempDir Path dir) throws IOException {
        assumeTrue(Files.isWritable(DEV_FULL), "no " + DEV_FULL);
        Path target = dir.resolve("out.bin");
        byte[] expected = pattern(3 * (4 << 20) + 4096);
        // a direct channel that opens but whose writes the kernel refuses (ENOSPC from /dev/full)
        LocalFileWriter.DirectOpener failingWrites = file -> FileChannel.open(DEV_FULL, StandardOpenOption.WRITE);
        try (FileChannel file = FileChannel.open(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
             LocalFileWriter writer = LocalFileWriter.open(target, file, failingWrites)) {
            assertTrue(writer.writesDirect());
            writeMixed(writer, expected);
            assertFalse(writer.writesDirect());
            writer.force();
        }
        assertArrayEquals(expected, Files.readAllBytes(target));
    }

    @Test
    void theSwitchOffWritesThroughThePageCache(@TempDir Path dir) throws IOException {
        Path target = dir.resolve("out.bin");
        byte[] expected = pattern((4 << 20) + 5);
        try (FileOutput out = FileOutput.create(storage, Storage.local(target), false)) {
            assertFalse(out.writesDirect());
            writeMixed(out.channel(), expected);
            out.commit();
        }
        assertArrayEquals(expected, Files.readAllBytes(target));
    }

    @Test
    void arrowFilesAreByteIdenticalWithAndWithoutDirectIo(@TempDir Path dir) throws IOException {
        Path direct = dir.resolve("direct.arrow");
        Path buffered = dir.resolve("buffered.arrow");
        int rows = 700; // 700 x 12 KiB: several write-behind blocks and an unaligned tail
        int[] shape = {3, 32, 32};
        writeArrow(direct, true, rows, shape);
        writeArrow(buffered, false, rows, shape);
        byte[] bytes = Files.readAllBytes(direct);
        assertTrue(bytes.length > 2 * (4 << 20) && bytes.length % 4096 != 0, "length " + bytes.length);
        assertArrayEquals(Files.readAllBytes(buffered), bytes);
        try (BufferAllocator allocator = new RootAllocator(); TensorFileReader reader = TensorFileReader.open(direct, allocator)) {
            assertEquals(rows, reader.rowCount());
            float[] row = new float[3 * 32 * 32];
            reader.loadBatch(reader.batchCount() - 1);
            reader.copyTensors(reader.batchRows() - 1, 1, row, 0);
            assertEquals(value(rows - 1, row.length - 1), row[row.length - 1]);
        }
    }

    @Test
    void aFailureInTheMiddleLeavesNoFileAndKeepsTheOldTarget(@TempDir Path dir) throws IOException {
        Path target = dir.resolve("out.arrow");
        Files.writeString(target, "previous");
        IllegalStateException failure = assertThrows(IllegalStateException.class, () -> {
            try (BufferAllocator allocator = new RootAllocator();
                 TensorFileWriter writer = TensorFileWriter.create(FileOutput.create(storage, Storage.local(target), true),
                         TensorFileWriter.idTensorSchema(new int[] {3, 32, 32}), "tensor", allocator)) {
                fill(writer, 0, 300); // 3.5 MiB: into the write-behind blocks, part of it on the disk
                fill(writer, 300, 300);
                throw new IllegalStateException("kernel failed");
            }
        });
        assertEquals("kernel failed", failure.getMessage());
        assertEquals(List.of(target), list(dir));
        assertEquals("previous", Files.readString(target));
    }

    /** Writes {@code bytes} as the Arrow writer does (aligned 4 MiB direct blocks) mixed with heap and odd-sized writes. */
    private static void writeMixed(WritableByteChannel out, byte[] bytes) throws IOException {
        int at = 0;
        int[] sizes = {4 << 20, 4 << 20, 100, 4 << 20, 8192};
        for (int i = 0; at < bytes.length; i++) {
            int n = Math.min(sizes[i % sizes.length], bytes.length - at);
            ByteBuffer b = i % 4 == 2 ? ByteBuffer.wrap(bytes, at, n).slice()
                    : ByteBuffer.allocateDirect(n + 8192).alignedSlice(4096).put(bytes, at, n).flip();
            while (b.hasRemaining()) out.write(b);
            at += n;
        }
    }

    private void writeArrow(Path target, boolean directIo, int rows, int[] shape) {
        try (BufferAllocator allocator = new RootAllocator();
             TensorFileWriter writer = TensorFileWriter.create(FileOutput.create(storage, Storage.local(target), directIo),
                     TensorFileWriter.idTensorSchema(shape), "tensor", allocator)) {
            for (int from = 0; from < rows; from += 64) fill(writer, from, Math.min(64, rows - from));
            writer.commit();
        }
    }

    private static void fill(TensorFileWriter writer, int from, int rows) {
        int n = writer.elementCount();
        float[] data = new float[rows * n];
        for (int r = 0; r < rows; r++) for (int i = 0; i < n; i++) data[r * n + i] = value(from + r, i);
        BigIntVector id = (BigIntVector) writer.root().getVector("id");
        for (int r = 0; r < rows; r++) id.setSafe(r, from + r);
        writer.tensorVector().writeRows(0, rows, data, 0);
        writer.writeRoot(rows);
    }

    private static float value(int row, int i) {
        return row * 0.5f - i * 0.25f;
    }

    private static byte[] pattern(int length) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) b[i] = (byte) (i * 31 + (i >>> 13));
        return b;
    }

    private static boolean acceptsDirectIo(Path dir) throws IOException {
        Path probe = Files.createTempFile(dir, "probe", ".tmp");
        try (FileChannel c = FileChannel.open(probe, StandardOpenOption.WRITE, ExtendedOpenOption.DIRECT)) {
            return true;
        } catch (IOException e) {
            return false;
        } finally {
            Files.delete(probe);
        }
    }

    private static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }
}
