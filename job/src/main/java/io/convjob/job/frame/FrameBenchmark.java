package io.convjob.job.frame;

import io.convjob.Model;
import io.convjob.Tensor;
import io.convjob.arrow.TensorFileWriter;
import io.convjob.job.model.PreparedModel;
import io.convjob.job.model.SpecText;
import io.convjob.job.model.WeightsLoader;
import io.convjob.spark.ArrowTensorSource;
import io.convjob.storage.Storage;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The DataFrame path's throughput against the model alone, in one JVM on the same rows: what {@code bench} reports
 * for issue 10's "DataFrame path >= 60% of the model alone". A benchmark, not a test: run it on a quiet machine.
 *
 * <p>Standalone: {@code java -cp <convjob classpath> io.convjob.job.frame.FrameBenchmark SPEC C,D1,... ROWS FILES
 * BATCH THREADS} (the launcher's JVM flags).
 */
public final class FrameBenchmark {
    private FrameBenchmark() {}

    /** One timed pass: {@code rows} samples in {@code seconds}. */
    public record Result(String path, long rows, double seconds) {
        public double samplesPerSecond() {
            return rows / seconds;
        }
    }

    /** The model alone: {@code Model.run} over {@code rows} samples in memory, batches of {@code batchSize}, after a warm-up pass. */
    public static Result modelAlone(Model model, int[] shape, int rows, int batchSize, int threads) {
        int inElements = Math.toIntExact(Tensor.elementCount(shape));
        int outElements = Math.toIntExact(Tensor.elementCount(model.outputShape(shape)));
        float[] x = random(Math.multiplyExact(batchSize, inElements), 1);
        float[] y = new float[Math.multiplyExact(batchSize, outElements)];
        for (int done = 0; done < Math.min(rows, 4 * batchSize); done += batchSize) model.run(x, shape, batchSize, y, threads);
        long start = System.nanoTime();
        for (int done = 0; done < rows; done += batchSize) model.run(x, shape, Math.min(batchSize, rows - done), y, threads);
        return new Result("model alone", rows, (System.nanoTime() - start) / 1e9);
    }

    /**
     * The DataFrame path a notebook takes: {@code spark.read.format("arrow-tensor")} (or Parquet), {@link Convolutions#apply}
     * (what {@code ConvTransformer} runs), {@code write.format("arrow-tensor").mode("overwrite")}; one untimed warm-up
     * pass, then one timed pass.
     */
    public static Result dataFrame(SparkSession spark, String specJson, String input, String output, int batchSize,
            boolean parquetInput) {
        Runnable pass = () -> {
            Dataset<Row> df = parquetInput ? spark.read().parquet(input) : spark.read().format(ArrowTensorSource.SHORT_NAME).load(input);
            ConvOptions options = new ConvOptions("tensor", "tensor", batchSize, null, null);
            Convolutions.apply(df, specJson, options).write().format(ArrowTensorSource.SHORT_NAME).mode(SaveMode.Overwrite)
                    .save(output);
        };
        pass.run();
        long start = System.nanoTime();
        pass.run();
        double seconds = (System.nanoTime() - start) / 1e9;
        long rows = spark.read().format(ArrowTensorSource.SHORT_NAME).load(output).count();
        return new Result(parquetInput ? "DataFrame (Parquet in, arrow-tensor out)" : "DataFrame (arrow-tensor in and out)",
                rows, seconds);
    }

    /** Writes {@code rows} random samples of {@code shape} as {@code files} Arrow files (ids and tensors) into {@code dir}. */
    public static void generate(Path dir, int[] shape, int rows, int files) {
        int elements = Math.toIntExact(Tensor.elementCount(shape));
        try (BufferAllocator allocator = new RootAllocator()) {
            Files.createDirectories(dir);
            int perFile = (rows + files - 1) / files;
            for (int f = 0, first = 0; first < rows; f++, first += perFile) {
                int n = Math.min(perFile, rows - first);
                long[] ids = new long[n];
                Arrays.setAll(ids, i -> i);
                TensorFileWriter.writeFile(dir.resolve(String.format(Locale.ROOT, "part-%05d.arrow", f)), ids,
                        random(n * elements, f), shape, 256, allocator);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static float[] random(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] values = new float[n];
        for (int i = 0; i < n; i++) values[i] = (float) random.nextDouble(-1, 1);
        return values;
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 6) {
            System.err.println("usage: FrameBenchmark SPEC C,D1,... ROWS FILES BATCH THREADS");
            System.exit(2);
        }
        String specJson = Files.readString(Path.of(args[0]));
        int[] shape = Arrays.stream(args[1].split(",")).mapToInt(Integer::parseInt).toArray();
        int rows = Integer.parseInt(args[2]);
        int files = Integer.parseInt(args[3]);
        int batch = Integer.parseInt(args[4]);
        int threads = Integer.parseInt(args[5]);
        Path work = Files.createTempDirectory("convjob-frame-bench");
        Path in = work.resolve("in");
        generate(in, shape, rows, files);
        PreparedModel model = PreparedModel.prepare(specJson, SpecText.parse(specJson), null, WeightsLoader.standard(),
                Storage.standard(), shape);
        SparkSession spark = SparkSession.builder().master("local[" + threads + "]").appName("frame-bench")
                .config("spark.ui.enabled", "false").getOrCreate();
        try {
            spark.read().format(ArrowTensorSource.SHORT_NAME).load(in.toString()).write().mode(SaveMode.Overwrite)
                    .parquet(work.resolve("in-parquet").toString());
            Result alone = modelAlone(model.model(), shape, rows, batch, threads);
            Result arrow = dataFrame(spark, specJson, in.toString(), work.resolve("out").toString(), batch, false);
            Result parquet = dataFrame(spark, specJson, work.resolve("in-parquet").toString(), work.resolve("out2").toString(),
                    batch, true);
            System.out.printf(Locale.ROOT, "%-45s %8s %10s %7s%n", "path", "rows", "samples/s", "ratio");
            for (Result r : new Result[] {alone, arrow, parquet}) {
                System.out.printf(Locale.ROOT, "%-45s %8d %10.1f %6.0f%%%n", r.path(), r.rows(), r.samplesPerSecond(),
                        100 * r.samplesPerSecond() / alone.samplesPerSecond());
            }
        } finally {
            spark.stop();
            Storage.standard().delete(Storage.local(work));
        }
    }
}
