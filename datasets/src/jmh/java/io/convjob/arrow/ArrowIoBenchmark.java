package io.convjob.arrow;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The Arrow paths alone, no kernels: reading a tensor file into the kernels' float buffer ({@code read}) and writing
 * one from it, committed with its fsync ({@code write}), per {@link TensorCompression}. Scores are rows per second;
 * MB/s = score x 49,152 bytes a row / 1e6 (rows of (3, 64, 64) float32), the apply path's input side.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
public class ArrowIoBenchmark {
    static final int ROWS = 1024;
    static final int ROWS_PER_BATCH = 256;
    static final int[] SHAPE = {3, 64, 64};
    static final int ELEMENTS = 3 * 64 * 64;

    @Param({"none", "lz4", "zstd"})
    String compression;

    private Path dir;
    private Path input;
    private BufferAllocator allocator;
    private float[] batch;
    private int written;

    @Setup
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("arrow-io-bench");
        allocator = new RootAllocator();
        batch = new float[ROWS_PER_BATCH * ELEMENTS];
        SplittableRandom random = new SplittableRandom(0);
        for (int i = 0; i < batch.length; i++) batch[i] = (float) (random.nextDouble() * 2 - 1);
        input = dir.resolve("input.arrow");
        writeFile(input);
    }

    @TearDown
    public void tearDown() throws IOException {
        allocator.close();
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    /** Every row of the file into a reused float buffer, as the apply loop reads it. */
    @Benchmark
    @OperationsPerInvocation(ROWS)
    public float read() {
        float sum = 0;
        try (TensorFileReader reader = TensorFileReader.open(input, allocator)) {
            while (reader.loadNextBatch()) {
                reader.copyTensors(batch, 0);
                sum += batch[reader.batchRows() * ELEMENTS - 1];
            }
        }
        return sum;
    }

    /** A whole file written from the float buffer and committed (one fsync), as the apply loop writes it. */
    @Benchmark
    @OperationsPerInvocation(ROWS)
    public long write() {
        Path out = dir.resolve("out-" + (written++ % 2) + ".arrow");
        return writeFile(out);
    }

    private long writeFile(Path target) {
        try (TensorFileWriter w = TensorFileWriter.create(io.convjob.storage.Storage.standard().createAtomic(
                io.convjob.storage.Storage.local(target)), TensorFileWriter.idTensorSchema(SHAPE), "tensor", allocator,
                TensorCompression.parse(compression))) {
            BigIntVector ids = (BigIntVector) w.root().getVector("id");
            for (int from = 0; from < ROWS; from += ROWS_PER_BATCH) {
                for (int r = 0; r < ROWS_PER_BATCH; r++) ids.setSafe(r, from + r);
                w.reserveTensorRows(ROWS_PER_BATCH);
                w.tensorVector().writeRows(0, ROWS_PER_BATCH, batch, 0);
                w.writeRoot(ROWS_PER_BATCH);
            }
            long rows = w.rowsWritten();
            w.commit();
            return rows;
        }
    }
}
