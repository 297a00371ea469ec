package io.convjob.arrow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.Test;

class WriteBehindChannelTest {

    @Test
    void everyByteArrivesInOrderAcrossBlocks() throws IOException {
        try (BufferAllocator allocator = new RootAllocator()) {
            everyByteArrivesInOrderAcrossBlocks(allocator);
            assertEquals(0, allocator.getAllocatedMemory(), "the blocks go back to the allocator");
        }
    }

    private static void everyByteArrivesInOrderAcrossBlocks(BufferAllocator allocator) throws IOException {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        byte[] expected = new byte[3 * WriteBehindChannel.BLOCK_BYTES * WriteBehindChannel.BLOCKS + 12345];
        for (int i = 0; i < expected.length; i++) expected[i] = (byte) (i * 31 + (i >>> 13));
        WriteBehindChannel channel = new WriteBehindChannel(Channels.newChannel(sink), "test", allocator);
        int at = 0;
        int[] sizes = {1, 7, WriteBehindChannel.BLOCK_BYTES + 3, 4096, 2 * WriteBehindChannel.BLOCK_BYTES};
        for (int i = 0; at < expected.length; i++) {
            int n = Math.min(sizes[i % sizes.length], expected.length - at);
            ByteBuffer direct = ByteBuffer.allocateDirect(n).put(expected, at, n).flip();
            assertEquals(n, channel.write(direct));
            assertEquals(0, direct.remaining());
            at += n;
        }
        channel.finish();
        assertArrayEquals(expected, sink.toByteArray());
    }

    @Test
    void aFailureOfTheTargetIsRethrownToTheWriter() {
        try (BufferAllocator allocator = new RootAllocator()) {
            aFailureOfTheTargetIsRethrownToTheWriter(allocator);
            assertEquals(0, allocator.getAllocatedMemory(), "the blocks go back to the allocator");
        }
    }

    private static void aFailureOfTheTargetIsRethrownToTheWriter(BufferAllocator allocator) {
        WritableByteChannel failing = new WritableByteChannel() {
            @Override public int write(ByteBuffer src) throws IOException { throw new IOException("No space left on device"); }
            @Override public boolean isOpen() { return true; }
            @Override public void close() { }
        };
        WriteBehindChannel channel = new WriteBehindChannel(failing, "test", allocator);
        IOException e = assertThrows(IOException.class, () -> {
            ByteBuffer chunk = ByteBuffer.allocate(WriteBehindChannel.BLOCK_BYTES);
            for (int i = 0; i < 100; i++) {
                chunk.clear();
                channel.write(chunk);
            }
            channel.finish();
        });
        assertTrue(e.getMessage().contains("No space left on device"), e.getMessage());
        channel.abandon();
    }
}
