package io.convjob.cli;

import io.convjob.Model;
import io.convjob.Tensor;
import io.convjob.arrow.TensorCompression;
import io.convjob.arrow.TensorFileWriter;
import io.convjob.fast.Engines;
import io.convjob.format.TensorFormat;
import io.convjob.job.ConvolutionJob;
import io.convjob.job.JobOptions;
import io.convjob.job.JobSummary;
import io.convjob.job.model.WeightsLoader;
import io.convjob.shape.ModelChecks;
import io.convjob.spec.ModelSpec;
import io.convjob.spec.SpecParser;
import io.convjob.storage.Storage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.spark.sql.SparkSession;

/**
 * {@code convjob bench --model}: the end-to-end rates of one model in one run, each path against the model alone.
 * (a) {@code Model.run} on in-memory batches after warm-up; (b) {@code apply} in this JVM on a generated Arrow file,
 * and the same as a fresh {@code ./convjob apply} process (start-up included, peak RSS); (c) {@code run} on Spark in
 * local mode over the same rows split into files, Spark's start-up timed apart; then the pure-I/O case (a 1x1
 * C->C conv through {@code apply}) and {@code cp} of the same file for reference.
 */
final class ThroughputBench {
    /** What to measure. */
    record Settings(Path spec, int[] inputShape, int rows, int batchSize, int threads, int files, int rowsPerBatch, Path workDir) {}

    /**
     * One path's result.
     *
     * @param bytes bytes read plus written (file sizes for the file paths; 0 for the model alone)
     * @param extra what else the path reports (start-up, peak RSS), for the table's last column
     */
    record Measurement(String key, String label, long rows, double seconds, long bytes, String extra) {
        double samplesPerSecond() { return rows / seconds; }
        double megabytesPerSecond() { return bytes / seconds / 1e6; }
    }

    private final Settings settings;
    private final PrintWriter out;
    private final List<Measurement> results = new ArrayList<>();

    private ThroughputBench(Settings settings, PrintWriter out) {
        this.settings = settings;
        this.out = out;
    }

    /** Runs every path, prints the table as it goes, and returns the measurements (the first is the model alone). */
    static List<Measurement> run(Settings settings, PrintWriter out) throws IOException {
        return new ThroughputBench(settings, out).runAll();
    }

    private List<Measurement> runAll() throws IOException {
        ModelSpec spec = SpecParser.parse(settings.spec());
        int[] outShape = ModelChecks.checkInputShape(spec, settings.inputShape());
        Model model = Model.fromSpec(spec);
        int[] in = settings.inputShape();
        long inBytes = Tensor.elementCount(in) * Float.BYTES;
        long outBytes = Tensor.elementCount(outShape) * Float.BYTES;
        out.printf(Locale.ROOT, "convjob bench --model %s: %d rows of %s -> %s (%,d -> %,d bytes a row), batch %d, %d threads%n",
                settings.spec(), settings.rows(), Arrays.toString(in), Arrays.toString(outShape), inBytes, outBytes,
                settings.batchSize(), settings.threads());
        out.printf(Locale.ROOT, "JVM %s, %d CPUs, engine %s, load average %s at start (ratios are within this run)%n",
                Runtime.version(), Runtime.getRuntime().availableProcessors(), Engines.get().name(), loadAverage());

        Path dir = Files.createTempDirectory(settings.workDir(), "convjob-bench-");
        try {
            measure(modelAlone(model, in, outShape, inBytes + outBytes));
            Path one = dir.resolve("one");
            Path split = dir.resolve("split");
            Files.createDirectories(one);
            Files.createDirectories(split);
            Path file = one.resolve("part-00000.arrow");
            generate(List.of(file), in, settings.rows());
            List<Path> parts = new ArrayList<>();
            for (int f = 0; f < settings.files(); f++) parts.add(split.resolve(String.format(Locale.ROOT, "part-%05d.arrow", f)));
            generate(parts, in, settings.rows());

            Path applied = dir.resolve("apply.arrow");
            // warmed up like the model alone: the first Arrow file of a JVM loads and compiles the I/O path (and
            // starts the logging), a one-off that the ./convjob apply line below shows
            Path warm = one.resolve("warm-up.arrow");
            generate(List.of(warm), in, Math.min(settings.rows(), 2 * settings.rowsPerBatch()));
            warmUp(model, warm, applied);
            measure(applyInProcess("apply", "apply (in this JVM, warm)", model, file, applied));
            delete(applied);
            if (System.getProperty("convjob.home") != null) { // untimed: the launcher's first apply records its class-data archive
                Path small = one.resolve("small.arrow");
                generate(List.of(small), in, Math.min(settings.rows(), settings.batchSize()));
                applyProcess(small, applied);
                delete(applied);
            }
            measure(applyProcess(file, applied));
            delete(applied);
            for (Measurement m : runLocal(split, dir)) measure(m);

            int channels = in[0];
            Path ioSpec = dir.resolve("io-1x1.json");
            Files.writeString(ioSpec, "{\"layer\": \"Conv" + (in.length - 1) + "d\", \"in_channels\": " + channels
                    + ", \"out_channels\": " + channels + ", \"kernel_size\": 1, \"key\": 0}");
            Model io = Model.fromSpec(SpecParser.parse(ioSpec));
            warmUp(io, warm, applied);
            measure(applyInProcess("pure_io", "pure I/O: apply 1x1 " + channels + "->" + channels, io, file, applied));
            delete(applied);
            measure(copy(file, applied));
            printRatios();
            return List.copyOf(results);
        } finally {
            deleteTree(dir);
        }
    }

    private void measure(Measurement m) {
        if (m == null) return;
        results.add(m);
        double base = results.get(0).samplesPerSecond();
        out.printf(Locale.ROOT, "  %-40s %10.1f samples/s %9.1f MB/s %6.1f%% of model alone   %s%n", m.label(),
                m.samplesPerSecond(), m.megabytesPerSecond(), 100 * m.samplesPerSecond() / base, m.extra());
    }

    private void printRatios() {
        out.printf(Locale.ROOT, "load average %s at the end%n", loadAverage());
    }

    /** (a) {@code Model.run} on one reused in-memory batch: warmed up for a second, then {@code rows} samples. */
    private Measurement modelAlone(Model model, int[] in, int[] outShape, long bytesPerRow) {
        int batch = settings.batchSize();
        float[] x = new float[Math.toIntExact(batch * Tensor.elementCount(in))];
        float[] y = new float[Math.toIntExact(batch * Tensor.elementCount(outShape))];
        SplittableRandom random = new SplittableRandom(0);
        for (int i = 0; i < x.length; i++) x[i] = (float) (random.nextDouble() * 2 - 1);
        long warmUntil = System.nanoTime() + 1_000_000_000L;
        for (int calls = 0; calls < 3 || System.nanoTime() < warmUntil; calls++) model.run(x, in, batch, y, settings.threads());
        long start = System.nanoTime();
        long done = 0;
        while (done < settings.rows()) {
            int n = (int) Math.min(batch, settings.rows() - done);
            model.run(x, in, n, y, settings.threads());
            done += n;
        }
        double seconds = seconds(start);
        return new Measurement("model", "model alone (in memory, warm)", done, seconds, done * bytesPerRow,
                String.format(Locale.ROOT, "%.2f s", seconds));
    }

    /** Applies {@code model} to the small file {@code warm} again and again for a second, untimed: the model alone's warm-up. */
    private void warmUp(Model model, Path warm, Path output) throws IOException {
        long until = System.nanoTime() + 1_000_000_000L;
        do {
            applyInProcess("warm-up", "", model, warm, output);
            delete(output);
        } while (System.nanoTime() < until);
    }

    /** (b) The apply path in this JVM, file to file. */
    private Measurement applyInProcess(String key, String label, Model model, Path input, Path output) {
        Storage storage = Storage.standard();
        long start = System.nanoTime();
        long rows = ArrowApply.run(storage, Storage.local(input), input.toString(), Storage.local(output), model,
                "tensor", settings.batchSize(), settings.threads(), TensorCompression.NONE);
        double seconds = seconds(start);
        return new Measurement(key, label, rows, seconds, size(input) + size(output),
                String.format(Locale.ROOT, "%.2f s", seconds));
    }

    /** (b) {@code ./convjob apply} as a user runs it: a fresh JVM, start-up included; its peak RSS. */
    private Measurement applyProcess(Path input, Path output) throws IOException {
        String home = System.getProperty("convjob.home");
        if (home == null) {
            out.println("  (./convjob apply not timed: no convjob.home, not started by the launcher)");
            return null;
        }
        ProcessBuilder pb = new ProcessBuilder(Path.of(home, "convjob").toString(), "apply", "--spec", settings.spec().toString(),
                "--input", input.toString(), "--output", output.toString(), "--threads", "" + settings.threads(),
                "--batch-size", "" + settings.batchSize());
        pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        long start = System.nanoTime();
        Process p = pb.start();
        long peakKb = 0;
        try {
            while (!p.waitFor(20, TimeUnit.MILLISECONDS)) peakKb = Math.max(peakKb, peakRssKb(p.pid()));
        } catch (InterruptedException e) {
            p.destroy();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        double seconds = seconds(start);
        if (p.exitValue() != 0) throw new IOException("./convjob apply exited " + p.exitValue());
        return new Measurement("apply_cli", "./convjob apply (start-up included)", settings.rows(), seconds,
                size(input) + size(output), String.format(Locale.ROOT, "%.2f s, peak RSS %d MB", seconds, peakKb / 1024));
    }

    /**
     * (c) {@code run --master local[T]} on the split files, then the DataFrame path in the same session: the rows as
     * Parquet in F files, {@code run --input-format parquet} as they are and with {@code --partitions F} (what {@code ConvTransformer} runs:
     * {@code Convolutions.apply} over Spark's internal rows, {@code arrow-tensor} out). The session's start-up is
     * timed apart, not in either rate; the Parquet copy is made before the clock starts, and the DataFrame path is
     * warmed up on one Parquet file first (untimed, as the model alone is warmed up).
     */
    private List<Measurement> runLocal(Path split, Path dir) {
        JobOptions options = JobOptions.of(settings.spec(), split.toString(), dir.resolve("run").toString())
                .withMaster("local[" + settings.threads() + "]").withBatchSize(settings.batchSize())
                .withSparkConf(java.util.Map.of("spark.ui.enabled", "false", "spark.ui.showConsoleProgress", "false"));
        boolean ours = SparkSession.getDefaultSession().isEmpty(); // a session someone else started is left running
        long start = System.nanoTime();
        SparkSession spark = ConvolutionJob.session(options);
        double startup = seconds(start);
        try {
            List<Measurement> found = new ArrayList<>();
            JobSummary summary = new ConvolutionJob(WeightsLoader.standard()).run(spark, options);
            long splitBytes = 0;
            for (int f = 0; f < settings.files(); f++) splitBytes += size(split.resolve(String.format(Locale.ROOT, "part-%05d.arrow", f)));
            found.add(new Measurement("run_local", "run --master local[" + settings.threads() + "], " + settings.files() + " files",
                    summary.rows(), summary.seconds(), splitBytes + arrowBytes(dir.resolve("run")),
                    String.format(Locale.ROOT, "%.2f s; Spark start-up %.2f s (not in the rate)", summary.seconds(), startup)));
            // a cluster's executors run job after job: the same job again in this session, executors and JIT warm
            JobSummary again = new ConvolutionJob(WeightsLoader.standard()).run(spark,
                    JobOptions.of(settings.spec(), split.toString(), dir.resolve("run-again").toString())
                            .withMaster(options.master()).withBatchSize(settings.batchSize()).withSparkConf(options.sparkConf()));
            found.add(new Measurement("run_local_again", "  the same run again (same session)", again.rows(), again.seconds(),
                    splitBytes + arrowBytes(dir.resolve("run-again")),
                    String.format(Locale.ROOT, "%.2f s; steady state: the second job of the session", again.seconds())));

            Path parquet = dir.resolve("parquet");
            spark.read().format("arrow-tensor").load(split.toString()).write().parquet(parquet.toString());
            long parquetBytes;
            try (Stream<Path> files = Files.list(parquet)) {
                parquetBytes = files.filter(f -> f.toString().endsWith(".parquet")).mapToLong(ThroughputBench::size).sum();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            // untimed, like the model's warm-up: Spark's first Parquet query in a JVM compiles its code (Janino, then
            // the JIT) and loads the reader's classes, a start-up cost a long-running session pays once
            String firstFile;
            try (Stream<Path> files = Files.list(parquet)) {
                firstFile = files.filter(f -> f.toString().endsWith(".parquet")).sorted().findFirst().orElseThrow().toString();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            long warmStart = System.nanoTime();
            new ConvolutionJob(WeightsLoader.standard()).run(spark, JobOptions.of(settings.spec(), firstFile,
                            dir.resolve("frame-warm-up").toString()).withMaster(options.master()).withBatchSize(settings.batchSize())
                    .withSparkConf(options.sparkConf()).withTensorFormat(TensorFormat.PARQUET).withShape(settings.inputShape()));
            double warmUp = seconds(warmStart);
            // the conversion path alone (a partition per Parquet file), then with --partitions: a shuffle of every row
            for (int partitions : new int[] {0, settings.files()}) {
                Path out = dir.resolve(partitions == 0 ? "frame" : "frame-shuffled");
                JobOptions frame = JobOptions.of(settings.spec(), parquet.toString(), out.toString())
                        .withMaster(options.master()).withBatchSize(settings.batchSize()).withSparkConf(options.sparkConf())
                        .withTensorFormat(TensorFormat.PARQUET).withShape(settings.inputShape()).withPartitions(partitions);
                JobSummary framed = new ConvolutionJob(WeightsLoader.standard()).run(spark, frame);
                found.add(new Measurement(partitions == 0 ? "dataframe" : "dataframe_partitions",
                        partitions == 0 ? "DataFrame: Parquet in, " + settings.files() + " files"
                                : "DataFrame: Parquet in, --partitions " + partitions,
                        framed.rows(), framed.seconds(), parquetBytes + arrowBytes(out),
                        String.format(Locale.ROOT, "%.2f s; same session (start-up not in the rate%s)", framed.seconds(),
                                partitions == 0 ? String.format(Locale.ROOT, "; first query, one file, untimed: %.2f s", warmUp) : "")));
            }
            return found;
        } finally {
            if (ours) spark.stop();
        }
    }

    private static long arrowBytes(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.toString().endsWith(".arrow")).mapToLong(ThroughputBench::size).sum();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code cp} of the same file, for reference (no fsync, unlike {@code apply}'s commit). */
    private Measurement copy(Path input, Path output) throws IOException {
        long start = System.nanoTime();
        try {
            Process p = new ProcessBuilder("cp", input.toString(), output.toString()).inheritIO().start();
            if (p.waitFor() != 0) throw new IOException("cp exited " + p.exitValue());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        double seconds = seconds(start);
        return new Measurement("cp", "cp of the input file", settings.rows(), seconds, 2 * size(input),
                String.format(Locale.ROOT, "%.2f s, no fsync", seconds));
    }

    /** Writes {@code rows} random rows spread over {@code files} (ids 0..rows-1), like {@code convjob generate}. */
    private void generate(List<Path> files, int[] shape, int rows) {
        int n = Math.toIntExact(Tensor.elementCount(shape));
        int perBatch = settings.rowsPerBatch();
        float[] data = new float[Math.multiplyExact(perBatch, n)];
        SplittableRandom random = new SplittableRandom(1);
        long id = 0;
        try (BufferAllocator allocator = new RootAllocator()) {
            for (int f = 0; f < files.size(); f++) {
                long fileRows = rows / files.size() + (f < rows % files.size() ? 1 : 0);
                try (TensorFileWriter w = TensorFileWriter.create(files.get(f), TensorFileWriter.idTensorSchema(shape), "tensor", allocator)) {
                    BigIntVector ids = (BigIntVector) w.root().getVector("id");
                    for (long done = 0; done < fileRows; ) {
                        int count = (int) Math.min(perBatch, fileRows - done);
                        for (int i = 0; i < count * n; i++) data[i] = (float) (random.nextDouble() * 2 - 1);
                        for (int r = 0; r < count; r++) ids.setSafe(r, id++);
                        w.tensorVector().writeRows(0, count, data, 0);
                        w.writeRoot(count);
                        done += count;
                    }
                    w.commit();
                }
            }
        }
    }

    /** The measurements as JSON: settings, then one object per path with its ratio to the model alone. */
    static String toJson(Settings s, List<Measurement> results) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "{\"spec\": \"%s\", \"input_shape\": %s, \"rows\": %d, \"batch_size\": %d, \"threads\": %d, "
                        + "\"files\": %d, \"cpus\": %d, \"jvm\": \"%s\",%n \"results\": [",
                s.spec().toString().replace("\\", "\\\\").replace("\"", "\\\""), Arrays.toString(s.inputShape()), s.rows(),
                s.batchSize(), s.threads(), s.files(), Runtime.getRuntime().availableProcessors(), Runtime.version()));
        double base = results.get(0).samplesPerSecond();
        for (int i = 0; i < results.size(); i++) {
            Measurement m = results.get(i);
            b.append(String.format(Locale.ROOT, "%s%n  {\"path\": \"%s\", \"label\": \"%s\", \"rows\": %d, \"seconds\": %.4f, "
                            + "\"samples_per_second\": %.2f, \"mb_per_second\": %.2f, \"ratio_to_model\": %.4f, \"note\": \"%s\"}",
                    i == 0 ? "" : ",", m.key(), m.label(), m.rows(), m.seconds(), m.samplesPerSecond(), m.megabytesPerSecond(),
                    m.samplesPerSecond() / base, m.extra().replace("\"", "'")));
        }
        return b.append("]}\n").toString();
    }

    private static long peakRssKb(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        } catch (IOException | RuntimeException e) {
            // the process ended between two polls, or no /proc: the last reading stands
        }
        return 0;
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return String.format(Locale.ROOT, "%.2f", java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        }
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void delete(Path p) throws IOException {
        Files.deleteIfExists(p);
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException e) {
            // a leftover temporary directory is not worth failing the benchmark for
        }
    }
}
