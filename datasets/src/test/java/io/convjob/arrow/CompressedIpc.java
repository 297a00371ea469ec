package io.convjob.arrow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.flatbuf.MessageHeader;
import org.apache.arrow.flatbuf.RecordBatch;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.compression.CompressionUtil;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.ipc.SeekableReadChannel;
import org.apache.arrow.vector.ipc.message.ArrowBlock;
import org.apache.arrow.vector.ipc.message.MessageMetadataResult;
import org.apache.arrow.vector.ipc.message.MessageSerializer;

/**
 * What tests of compressed output check in a written Arrow IPC file, shared by this module's tests and (as the
 * datasets test jar) by the job's: the codec its record batches carry in their IPC metadata, and what pyarrow reads.
 */
public final class CompressedIpc {
    private CompressedIpc() {}

    /**
     * The codec every record batch of the file carries ({@code NO_COMPRESSION} for uncompressed batches).
     *
     * @throws AssertionError if the file has no record batch or its batches differ
     */
    public static CompressionUtil.CodecType codecOf(Path file) throws IOException {
        List<CompressionUtil.CodecType> codecs = batchCodecs(file);
        if (codecs.isEmpty()) throw new AssertionError(file + ": no record batch");
        if (codecs.stream().distinct().count() != 1) throw new AssertionError(file + ": batches differ in compression: " + codecs);
        return codecs.get(0);
    }

    /** The codec of each record batch, in file order, as the IPC metadata of its message says. */
    public static List<CompressionUtil.CodecType> batchCodecs(Path file) throws IOException {
        try (BufferAllocator allocator = new RootAllocator();
             FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
             ArrowFileReader reader = new ArrowFileReader(channel, allocator)) {
            List<CompressionUtil.CodecType> codecs = new ArrayList<>();
            SeekableReadChannel in = new SeekableReadChannel(channel);
            for (ArrowBlock block : reader.getRecordBlocks()) {
                in.setPosition(block.getOffset());
                MessageMetadataResult message = MessageSerializer.readMessage(in);
                if (message.headerType() != MessageHeader.RecordBatch) throw new AssertionError(file + ": block is not a record batch");
                RecordBatch batch = (RecordBatch) message.getMessage().header(new RecordBatch());
                codecs.add(batch.compression() == null ? CompressionUtil.CodecType.NO_COMPRESSION
                        : CompressionUtil.CodecType.fromCompressionType(batch.compression().codec()));
            }
            return codecs;
        }
    }

    /**
     * pyarrow's reading of a file with an int64 {@code id} and a tensor column {@code tensor}: JSON
     * {@code {extension, ids, values}} ({@code values} one list per row, null for a null row).
     */
    public static JsonNode readWithPyarrow(Path file) throws IOException, InterruptedException {
        return new ObjectMapper().readTree(CompressedIpcInteropTest.python("read", file.toString()));
    }
}
