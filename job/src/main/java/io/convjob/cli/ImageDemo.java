package io.convjob.cli;

import io.convjob.Model;
import io.convjob.job.ConvolutionJob;
import io.convjob.job.JobOptions;
import io.convjob.job.JobSummary;
import io.convjob.job.NearestNeighbours;
import io.convjob.format.TensorFormat;
import io.convjob.format.TensorFormat;
import io.convjob.job.model.SpecText;
import io.convjob.job.model.WeightsLoader;
import io.convjob.sample.SampleImages;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * {@code convjob demo --images}: the bundled image set through a feature extractor to Parquet feature vectors (with
 * the Spark ML vector column), then the nearest neighbours of a few images by cosine similarity, and the end-to-end
 * rate against the model's own rate.
 */
final class ImageDemo {
    private final PrintWriter console;

    ImageDemo(PrintWriter console) {
        this.console = console;
    }

    static Path defaultSpec(Path home) {
        return home.resolve("conf/specs/image-features.json");
    }

    int run(Path specFile, Path work, Path out, String master, int batchSize) throws IOException {
        Path input = work.resolve("demo-images");
        DemoCommand.deleteRecursively(input);
        SampleImages.extract(input);
        Path spec = specFile;
        console.printf("demo: %d images (%s; PNG and JPEG, colour and gray, 56..84 px) from the bundled set, copied to %s%n",
                SampleImages.fileNames().size(), String.join(", ", SampleImages.PATTERNS), input);
        console.printf("demo: spec %s, master %s%n", spec, master);
        console.flush();

        JobOptions options = JobOptions.of(spec, input.toString(), out.toString()).withTensorFormat(TensorFormat.IMAGE)
                .withOutput(TensorFormat.PARQUET, true).withMaster(master).withBatchSize(batchSize).withOverwrite(true);
        SparkSession spark = ConvolutionJob.session(options);
        List<String> names = new ArrayList<>();
        List<float[]> features = new ArrayList<>();
        JobSummary summary;
        try {
            summary = new ConvolutionJob(WeightsLoader.standard()).run(spark, options);
            for (Row r : spark.read().parquet(out.toString()).select("id", options.column()).orderBy("id").collectAsList()) {
                names.add(Path.of(URI.create(r.getString(0))).getFileName().toString());
                List<Object> values = r.getList(1);
                float[] f = new float[values.size()];
                for (int i = 0; i < f.length; i++) f[i] = ((Number) values.get(i)).floatValue();
                features.add(f);
            }
        } finally {
            spark.stop();
        }
        console.print(summary.format());
        console.printf("demo: Parquet feature vectors in %s: columns id, %s (array<float>, shape %s in ARROW:schema), %s (Spark ML vector)%n",
                out, options.column(), Arrays.toString(summary.outputShape()), JobOptions.VECTOR_COLUMN);

        NearestNeighbours search = new NearestNeighbours(NearestNeighbours.centred(features));
        console.println("demo: nearest neighbours by cosine similarity (of the features minus their mean over the set):");
        for (String pattern : SampleImages.PATTERNS) {
            int query = names.indexOf(pattern + "-00.png");
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "  %-16s ->", names.get(query)));
            for (NearestNeighbours.Match m : search.nearest(query, 3)) {
                line.append(String.format(Locale.ROOT, "  %s (%.3f)", names.get(m.index()), m.cosine()));
            }
            console.println(line);
        }
        int same = 0;
        for (int i = 0; i < names.size(); i++) {
            String nearest = names.get(search.nearest(i, 1).get(0).index());
            if (pattern(nearest).equals(pattern(names.get(i)))) same++;
        }
        console.printf("demo: %d of %d images have a nearest neighbour of the same pattern%n", same, names.size());

        double modelRate = modelAloneRate(spec, summary.inputShape(), batchSize);
        console.printf(Locale.ROOT, "demo: %.1f images/s end to end (list, read, decode, preprocess, model, Parquet, in %s)"
                + " vs %.1f images/s for the model alone (in-process, batch %d, all cores)%n", summary.rowsPerSecond(),
                master, modelRate, batchSize);
        console.flush();
        return ExitCodes.OK;
    }

    private static String pattern(String name) {
        return name.substring(0, name.indexOf('-'));
    }

    /** Images per second of the model alone on random input of the same shape: after warm-up, best of 3. */
    private static double modelAloneRate(Path spec, int[] inputShape, int batch) {
        Model model = Model.fromSpec(SpecText.parse(SpecText.read(spec)));
        int in = Math.toIntExact(io.convjob.Tensor.elementCount(inputShape));
        int outElements = Math.toIntExact(io.convjob.Tensor.elementCount(model.outputShape(inputShape)));
        float[] x = new float[batch * in];
        Random random = new Random(1);
        for (int i = 0; i < x.length; i++) x[i] = (float) random.nextGaussian();
        float[] y = new float[batch * outElements];
        int threads = Runtime.getRuntime().availableProcessors();
        model.run(x, inputShape, batch, y, threads);
        double best = Double.MAX_VALUE;
        for (int r = 0; r < 3; r++) {
            long t0 = System.nanoTime();
            model.run(x, inputShape, batch, y, threads);
            best = Math.min(best, (System.nanoTime() - t0) / 1e9);
        }
        return batch / best;
    }
}
