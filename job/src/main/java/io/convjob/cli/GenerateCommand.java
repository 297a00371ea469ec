package io.convjob.cli;

import io.convjob.Tensor;
import io.convjob.arrow.TensorFileWriter;
import io.convjob.error.InputException;
import io.convjob.plan.MemoryBudget;
import io.convjob.plan.ResourcePlan;
import io.convjob.shape.SizeLimits;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

@Command(name = "generate", mixinStandardHelpOptions = true,
        description = {"Writes a synthetic Arrow tensor dataset.",
                "Columns id (int64) and tensor (arrow.fixed_shape_tensor), for benchmarks and for smoke-testing",
                "clusters. Values are uniform in [-1, 1), fixed by --seed."})
public final class GenerateCommand implements Callable<Integer> {
    @Spec CommandLine.Model.CommandSpec command;
    @Mixin CommonOptions common;

    @Option(names = "--shape", required = true, paramLabel = "C,D1,...", description = "One sample's shape.")
    String shapeText;

    @Option(names = "--rows", required = true, description = "Rows in all.")
    long rows;

    @Option(names = "--files", defaultValue = "1", description = "Files to spread the rows over (default: ${DEFAULT-VALUE}).")
    int files;

    @Option(names = "--rows-per-batch", defaultValue = "256", description = "Rows per record batch (default: ${DEFAULT-VALUE}).")
    int rowsPerBatch;

    @Option(names = "--seed", defaultValue = "0", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--output", required = true, paramLabel = "DIR", description = "Directory for part-NNNNN.arrow files.")
    Path output;

    @Option(names = "--overwrite", description = "Replace the dataset files already in DIR.")
    boolean overwrite;

    @Override public Integer call() throws IOException {
        int[] shape = ShapeOption.parse(command.commandLine(), "--shape", shapeText);
        if (rows < 0 || files <= 0 || rowsPerBatch <= 0) {
            throw new CommandLine.ParameterException(command.commandLine(),
                    "--rows must be >= 0, --files and --rows-per-batch > 0");
        }
        int elements = planMemory(shape);
        OutputLocation.checkLocal("--output", output.toString());
        prepareOutput();
        long bytes = 0;
        try (BufferAllocator allocator = new RootAllocator()) {
            for (int f = 0; f < files; f++) {
                long first = rows * f / files;
                int n = Math.toIntExact(rows * (f + 1) / files - first);
                long[] ids = new long[n];
                float[] data = new float[Math.toIntExact((long) n * elements)];
                SplittableRandom random = new SplittableRandom(seed * 1_000_003L + f);
                for (int r = 0; r < n; r++) ids[r] = first + r;
                for (int i = 0; i < data.length; i++) data[i] = (float) (random.nextDouble() * 2 - 1);
                Path file = output.resolve(String.format("part-%05d.arrow", f));
                TensorFileWriter.writeFile(file, ids, data, shape, rowsPerBatch, allocator);
                bytes += Files.size(file);
            }
        }
        command.commandLine().getOut().printf("wrote %d rows of %s in %d files (%,d bytes) to %s%n", rows,
                java.util.Arrays.toString(shape), files, bytes, output);
        return ExitCodes.OK;
    }

    /**
     * Each file is built in memory (ids, then the floats, then Arrow's copy of one record batch) before it is written:
     * checked against Java's array limit and the heap before the output directory is touched.
     *
     * @return floats per row
     */
    private int planMemory(int[] shape) {
        SizeLimits.checkSample(shape, "--shape");
        long elements = SizeLimits.elements(shape);
        long rowsPerFile = (rows + files - 1) / files;
        long rowLimit = SizeLimits.MAX_ARRAY / Math.max(1, elements); // the floats, and the ids, each in one array
        if (rowsPerFile > rowLimit) {
            long filesNeeded = (rows + rowLimit - 1) / rowLimit;
            throw new InputException("--rows " + rows + " in --files " + files + ": " + SizeLimits.count(rowsPerFile)
                    + " rows x " + SizeLimits.count(elements) + " floats per file, more than a Java array holds ("
                    + SizeLimits.count(SizeLimits.MAX_ARRAY) + "); use --files " + filesNeeded + " or more");
        }
        long batchRows = Math.min(rowsPerBatch, rowsPerFile);
        long need = rowsPerFile * (Long.BYTES + Float.BYTES * elements) + batchRows * Float.BYTES * elements;
        MemoryBudget heap = MemoryBudget.heap();
        if (need > heap.bytes()) {
            throw new InputException("not enough memory: a file of " + SizeLimits.count(rowsPerFile) + (rowsPerFile == 1 ? " row x " : " rows x ")
                    + java.util.Arrays.toString(shape) + " is built in memory, about " + ResourcePlan.bytes(need)
                    + ", more than " + heap.name() + "; use more --files, or raise " + heap.raise());
        }
        return (int) elements;
    }

    private void prepareOutput() throws IOException {
        if (Files.isDirectory(output)) {
            try (Stream<Path> existing = Files.list(output)) {
                var data = existing.filter(p -> p.getFileName().toString().endsWith(".arrow")).toList();
                if (!data.isEmpty() && !overwrite) {
                    throw new InputException(output + ": already holds .arrow files; use --overwrite to replace them");
                }
                for (Path p : data) Files.delete(p);
            }
        } else if (Files.exists(output)) {
            throw new InputException(output + ": exists and is not a directory");
        }
        Files.createDirectories(output);
    }
}
