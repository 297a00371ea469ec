package io.convjob.cli;

import io.convjob.Model;
import io.convjob.arrow.TensorCompression;
import io.convjob.arrow.TensorFileConverter;
import io.convjob.arrow.TensorFileReader;
import io.convjob.job.KernelWarmUp;
import io.convjob.arrow.TensorFileWriter;
import io.convjob.shape.ModelChecks;
import io.convjob.storage.Storage;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.hadoop.fs.Path;

/**
 * {@code convjob apply} from an Arrow file to an Arrow file, in-process: what the command runs and what
 * {@code convjob bench --model} times. The reader's batch buffer, the kernel's input and output arrays and the
 * writer's vectors are each allocated once and reused for every record batch. With several threads the kernel
 * batches run data-parallel, one single-threaded {@code Model.run} per thread on alternate batches, written in input
 * order, while this thread reads and writes the record batches ({@link TensorFileConverter}).
 */
final class ArrowApply {
    private ArrowApply() {}

    /**
     * Converts {@code input} into {@code output} (written whole or not at all).
     *
     * @param inputName the input as the user named it, for messages
     * @return the rows written
     */
    static long run(Storage storage, Path input, String inputName, Path output, Model model, String column, int batchSize,
                    int threads, TensorCompression compression) {
        try (BufferAllocator allocator = new RootAllocator();
             TensorFileReader reader = TensorFileReader.open(inputName, () -> storage.openChannel(input), allocator, column, null)) {
            return convert(reader, allocator, storage, output, model, column, batchSize, threads, compression, null);
        }
    }

    /**
     * Converts the rows of an open {@code reader} into {@code output} (written whole or not at all).
     *
     * @param warmUp stopped once the output is set up, before the first batch; may be null
     */
    static long convert(TensorFileReader reader, BufferAllocator allocator, Storage storage, Path output, Model model,
                        String column, int batchSize, int threads, TensorCompression compression, KernelWarmUp warmUp) {
        int[] sample = reader.shape();
        int[] outSample = ModelChecks.checkInputShape(model.spec(), sample);
        try (TensorFileWriter writer = TensorFileWriter.create(storage.createAtomic(output),
                TensorFileWriter.outputSchema(reader.schema(), column, outSample), column, allocator, compression)) {
            if (warmUp != null) warmUp.close();
            long rows;
            try (TensorFileConverter converter = new TensorFileConverter(sample, outSample, batchSize, threads)) {
                rows = converter.convert(reader, 0, -1, writer, (x, n, y) -> model.run(x, sample, n, y, 1));
            }
            writer.commit();
            return rows;
        }
    }
}
