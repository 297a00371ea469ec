package io.convjob.cli;

import io.convjob.Model;
import io.convjob.Tensor;
import io.convjob.arrow.TensorCompression;
import io.convjob.arrow.TensorFileReader;
import io.convjob.job.KernelWarmUp;
import io.convjob.arrow.TensorFileWriter;
import io.convjob.error.InputException;
import io.convjob.format.TensorFormat;
import io.convjob.io.NamedTensor;
import io.convjob.io.NpyReader;
import io.convjob.io.NpyWriter;
import io.convjob.job.frame.ConvOptions;
import io.convjob.plan.MemoryBudget;
import io.convjob.plan.PlanRequest;
import io.convjob.plan.ResourcePlan;
import io.convjob.shape.ModelChecks;
import io.convjob.shape.ModelShapes;
import io.convjob.shape.SizeLimits;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.types.pojo.Field;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import io.convjob.storage.Storage;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "apply", mixinStandardHelpOptions = true,
        description = {"Runs the model in-process (no Spark) on a .npy or .arrow file.",
                ".npy: float32, C order, (batch, channels, *spatial). .arrow: Arrow IPC file whose 'tensor' column is "
                        + "arrow.fixed_shape_tensor (channels, *spatial); every other column is passed through.",
                "The output is written whole or not at all."})
public final class ApplyCommand implements Callable<Integer>, Planned {
    @Spec CommandLine.Model.CommandSpec command;
    @Mixin CommonOptions common;
    @Mixin ModelOptions model;

    @Option(names = "--input", required = true, paramLabel = "X",
            description = "Input .npy or .arrow file; local or any Hadoop path (hdfs://, s3a://, ...).")
    String inputText;

    @Option(names = "--output", required = true, paramLabel = "Y",
            description = "Output .npy or .arrow file; local or any Hadoop path (hdfs://, s3a://, ...).")
    String outputText;

    private Storage storage;
    /** Compiles the kernels in the background until the real batches start. */
    private KernelWarmUp warmUp;
    private org.apache.hadoop.fs.Path input;
    private org.apache.hadoop.fs.Path output;

    @Option(names = "--column", defaultValue = TensorFileReader.DEFAULT_COLUMN,
            description = "Tensor column of .arrow files (default: ${DEFAULT-VALUE}).")
    String column;

    @Option(names = "--batch-size", paramLabel = "N", converter = PositiveInt.class,
            description = "Samples per kernel call (default: " + ConvOptions.DEFAULT_BATCH_SIZE
                    + ", fewer for a smaller input or when memory is short; see describe's resource plan).")
    Integer batchSizeOption;

    @Option(names = "--threads", converter = PositiveInt.class, description = "Threads for the kernels (default: all cores).")
    Integer threads;

    @Option(names = "--compression", paramLabel = "none|lz4|zstd", defaultValue = "none", converter = CompressionOption.class,
            description = ".arrow output: compress record batches with LZ4_FRAME or ZSTD (default: ${DEFAULT-VALUE}). "
                    + "Compressed input is read whatever this says.")
    TensorCompression compression;

    /** Rows per kernel call, as the plan chose them. */
    private int batchSize = ConvOptions.DEFAULT_BATCH_SIZE;
    private ResourcePlan plan;

    @Override public ResourcePlan plan() { return plan; }

    /**
     * Plans the run before any work ({@link ResourcePlan}): every buffer checked against Java's limits and the heap,
     * the batch size adapted to the rows present. {@code wholeOutput} rows of output are held at once for .npy output.
     */
    private void plan(Model m, int[] sample, long rows, long recordBatchRows, boolean sliceable, long wholeOutputRows,
                      int lanes) {
        ModelShapes shapes = ModelChecks.walk(m.spec(), sample);
        long outputFloats = SizeLimits.elements(shapes.outputShape());
        if (wholeOutputRows > 0 && outputFloats > SizeLimits.MAX_ARRAY / wholeOutputRows) {
            throw new InputException("--output " + outputText + ": a .npy output is written whole, and "
                    + SizeLimits.count(wholeOutputRows) + " rows x " + Arrays.toString(shapes.outputShape())
                    + " are more floats than a Java array holds (" + SizeLimits.count(SizeLimits.MAX_ARRAY)
                    + "); write .arrow output (streamed batch by batch)");
        }
        // .npy output holds every row at once, so its record batches need not be sliced
        plan = ResourcePlan.of(m.spec(), shapes, new PlanRequest(sample, rows,
                batchSizeOption == null ? ConvOptions.DEFAULT_BATCH_SIZE : batchSizeOption, batchSizeOption != null,
                Math.max(recordBatchRows, wholeOutputRows), 1, MemoryBudget.heap(), sliceable && wholeOutputRows == 0)
                .withLanes(lanes));
        batchSize = plan.batchRows();
    }

    @Override public Integer call() {
        try (LoggingStart logging = LoggingStart.begin()) {
            return applyFromArguments();
        }
    }

    private Integer applyFromArguments() {
        storage = Storage.standard();
        input = storage.path("--input", inputText);
        output = storage.path("--output", outputText);
        TensorFormat in = format(input, "--input");
        TensorFormat out = format(output, "--output");
        // the model first (a local spec is read without starting Hadoop), so the JIT compiles its kernels on the
        // other core while Hadoop's file system, the logging and Arrow start up
        Model m = model.load(storage);
        try (KernelWarmUp w = KernelWarmUp.start(m)) {
            warmUp = w;
            return apply(m, in, out);
        }
    }

    private Integer apply(Model m, TensorFormat in, TensorFormat out) {
        var status = storage.status(input);
        if (status == null || !status.isFile()) throw new InputException(inputText + ": no such file");
        var existing = storage.status(output);
        if (existing != null && existing.isDirectory()) {
            throw new InputException("--output " + outputText + ": is a directory; name a .npy or .arrow file");
        }
        OutputLocation.checkLocal("--output", outputText);
        StaleTemporaries.remove(storage, output, command.commandLine().getErr());
        int nThreads = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
        long start = System.nanoTime();
        long rows = in == TensorFormat.NPY ? applyNpy(m, out, nThreads) : applyArrow(m, out, nThreads);
        double seconds = (System.nanoTime() - start) / 1e9;
        PrintWriter o = command.commandLine().getOut();
        o.printf(Locale.ROOT, "wrote %s: %d samples in %.2f s (%.1f samples/s)%n", outputText, rows, seconds, rows / seconds);
        o.flush();
        return ExitCodes.OK;
    }

    private TensorFormat format(org.apache.hadoop.fs.Path p, String option) {
        TensorFormat format = TensorFormat.ofFile(p.getName());
        if (format == TensorFormat.NPY || format == TensorFormat.ARROW) return format;
        throw new CommandLine.ParameterException(command.commandLine(),
                option + " must be a .npy or .arrow file, got " + p);
    }

    private long applyNpy(Model m, TensorFormat out, int nThreads) {
        NamedTensor x = storage.withLocalFile(input, NpyReader::read);
        int[] shape = x.shape();
        if (shape.length < 2) {
            throw new InputException(input + ": expected (batch, channels, *spatial), got shape " + Arrays.toString(shape));
        }
        int batch = shape[0];
        int[] sample = Arrays.copyOfRange(shape, 1, shape.length);
        plan(m, sample, batch, 0, false, batch, 1);
        int[] outSample = plan.outputShape();
        warmUp.close();
        float[] y = runChunked(m, x.data(), sample, outSample, batch, nThreads);
        if (out == TensorFormat.NPY) {
            int[] shape2 = concat(batch, outSample);
            storage.writeThroughLocalFile(output, f -> NpyWriter.write(f, shape2, y));
        } else {
            long[] ids = new long[batch];
            for (int i = 0; i < batch; i++) ids[i] = i;
            try (BufferAllocator allocator = new RootAllocator()) {
                TensorFileWriter.writeFile(storage.createAtomic(output), ids, y, outSample, Math.max(1, Math.min(batch, 1024)),
                        allocator, compression);
            }
        }
        return batch;
    }

    private long applyArrow(Model m, TensorFormat out, int nThreads) {
        try (BufferAllocator allocator = new RootAllocator();
             TensorFileReader reader = TensorFileReader.open(inputText, () -> storage.openChannel(input), allocator, column, null)) {
            int[] sample = reader.shape();
            warmUp.useInputShape(sample); // the warm-up goes on with this input's row length, the kernels it picks
            long rowsPresent = reader.rowCount();
            long largestBatch = reader.largestBatchRows();
            // Arrow to Arrow runs one kernel batch per thread at once (ArrowApply), so each thread's buffers count
            plan(m, sample, rowsPresent, largestBatch, reader.canReadInSlices(), out == TensorFormat.NPY ? reader.rowCount() : 0,
                    out == TensorFormat.NPY ? 1 : nThreads);
            // a record batch larger than the plan allows is read a slice of rows at a time
            if (plan.recordBatchRows() < largestBatch) reader.readInSlices(Math.toIntExact(plan.recordBatchRows()));
            int[] outSample = plan.outputShape();
            if (out == TensorFormat.NPY) {
                warmUp.close();
                return arrowToNpy(m, reader, sample, outSample, nThreads);
            }
            return ArrowApply.convert(reader, allocator, storage, output, m, column, batchSize, nThreads, compression, warmUp);
        }
    }

    private long arrowToNpy(Model m, TensorFileReader reader, int[] sample, int[] outSample, int nThreads) {
        List<String> dropped = reader.schema().getFields().stream().map(Field::getName).filter(n -> !n.equals(column)).toList();
        if (!dropped.isEmpty()) {
            command.commandLine().getErr().println("note: .npy output holds only the tensors; not written: " + dropped);
        }
        long total = reader.rowCount();
        int outElems = Math.toIntExact(Tensor.elementCount(outSample));
        float[] y = new float[Math.toIntExact(total * outElems)];
        float[] x = new float[0];
        int row = 0;
        while (reader.loadNextBatch()) {
            int n = reader.batchRows();
            x = grow(x, (long) n * reader.elementCount());
            reader.copyTensors(x, 0);
            float[] part = runChunked(m, x, sample, outSample, n, nThreads);
            System.arraycopy(part, 0, y, row * outElems, n * outElems);
            row += n;
        }
        int[] shape2 = concat(row, outSample);
        float[] result = y;
        storage.writeThroughLocalFile(output, f -> NpyWriter.write(f, shape2, result));
        return row;
    }

    // reused across record batches: fresh memory costs a page fault per 4 KiB on these VMs
    private float[] xChunk = new float[0];
    private float[] yChunk = new float[0];
    private float[] yBatch = new float[0];

    /**
     * Runs {@code batch} samples through the model, {@code --batch-size} at a time. The result lives in a buffer
     * reused by the next call: consume it first.
     */
    private float[] runChunked(Model m, float[] x, int[] sample, int[] outSample, int batch, int nThreads) {
        int inElems = Math.toIntExact(Tensor.elementCount(sample));
        int outElems = Math.toIntExact(Tensor.elementCount(outSample));
        yBatch = grow(yBatch, (long) batch * outElems);
        if (batch <= batchSize) {
            m.run(x, sample, batch, yBatch, nThreads);
            return yBatch;
        }
        xChunk = grow(xChunk, (long) batchSize * inElems);
        yChunk = grow(yChunk, (long) batchSize * outElems);
        for (int from = 0; from < batch; from += batchSize) {
            int n = Math.min(batchSize, batch - from);
            System.arraycopy(x, from * inElems, xChunk, 0, n * inElems);
            m.run(xChunk, sample, n, yChunk, nThreads);
            System.arraycopy(yChunk, 0, yBatch, from * outElems, n * outElems);
        }
        return yBatch;
    }

    private static float[] grow(float[] buffer, long need) {
        return buffer.length >= need ? buffer : new float[Math.toIntExact(need)];
    }

    private static int[] concat(int batch, int[] sample) {
        int[] s = new int[sample.length + 1];
        s[0] = batch;
        System.arraycopy(sample, 0, s, 1, sample.length);
        return s;
    }
}
