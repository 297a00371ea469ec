package io.convjob.bench;

import io.convjob.Layer;
import io.convjob.Model;
import io.convjob.PoolLayer;
import io.convjob.Tensor;
import io.convjob.spec.ActivationSpec;
import io.convjob.spec.ConvLayerSpec;
import io.convjob.spec.FlattenSpec;
import io.convjob.spec.LayerSpec;
import io.convjob.spec.PoolLayerSpec;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Where a model's time goes: each layer timed alone on its real input (the previous layer's output for a random
 * batch), then the whole model as it runs (activations in place, an activation before a MaxPool fused into it).
 * Medians of repeated calls after warm-up; the machine's other load shows in min..max.
 *
 * @param rows    one per layer, in model order
 * @param modelMs median ms of one whole-model call on the batch
 */
public record LayerProfile(List<Row> rows, int batch, int threads, double modelMs) {

    /** One layer: its name, output shape and median ms for the batch. */
    public record Row(int index, String layer, int[] outputShape, double medianMs, boolean pooling) {}

    /** Times {@code model} on {@code batch} random samples of {@code sampleShape}, for about {@code seconds} per step. */
    public static LayerProfile measure(Model model, int[] sampleShape, int batch, int threads, double seconds) {
        Random random = new Random(1);
        int[] shape = sampleShape.clone();
        float[] x = new float[Math.toIntExact(batch * Tensor.elementCount(shape))];
        for (int i = 0; i < x.length; i++) x[i] = random.nextFloat() * 2 - 1;
        float[] input = x;
        List<Layer> layers = model.layers();
        List<Runnable> steps = new ArrayList<>();
        List<int[]> outShapes = new ArrayList<>();
        for (Layer layer : layers) {
            int[] in = shape;
            int[] out = layer.outputShape(in);
            float[] src = x;
            float[] dst = new float[Math.toIntExact(batch * Tensor.elementCount(out))];
            steps.add(() -> layer.run(src, in, batch, dst, threads));
            outShapes.add(out);
            x = dst;
            shape = out;
        }
        float[] y = new float[x.length];
        Runnable whole = () -> model.run(input, sampleShape, batch, y, threads);
        // warm every step up together first: the JIT compiles kernels shared by several layers, and the first
        // calls touch fresh memory; timing a layer before that would charge it for both
        long warmUntil = System.nanoTime() + (long) (seconds * 1e9);
        do {
            steps.forEach(Runnable::run);
            whole.run();
        } while (System.nanoTime() < warmUntil);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            double ms = median(steps.get(i), seconds);
            rows.add(new Row(i, name(model.spec().layers().get(i)), outShapes.get(i), ms, layers.get(i) instanceof PoolLayer));
        }
        double modelMs = median(whole, seconds);
        return new LayerProfile(rows, batch, threads, modelMs);
    }

    private static String name(LayerSpec spec) {
        if (spec instanceof PoolLayerSpec p) return p.layerName();
        if (spec instanceof ConvLayerSpec c) return c.layerName() + c.numSpatialDims() + "d";
        if (spec instanceof ActivationSpec a) return a.activation().specName();
        return FlattenSpec.NAME;
    }

    private static double median(Runnable call, double seconds) {
        long budget = (long) (seconds * 1e9);
        long begin = System.nanoTime();
        int warm = 0;
        while (warm < 2 || System.nanoTime() - begin < budget / 3) {
            call.run();
            warm++;
        }
        double perCall = (System.nanoTime() - begin) / (double) warm;
        int reps = (int) Math.max(5, Math.min(500, 2 * budget / 3 / perCall));
        double[] ms = new double[reps];
        for (int i = 0; i < reps; i++) {
            long t0 = System.nanoTime();
            call.run();
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(ms);
        return ms[reps / 2];
    }

    public double layersMs() { return rows.stream().mapToDouble(Row::medianMs).sum(); }

    public double poolingMs() { return rows.stream().filter(Row::pooling).mapToDouble(Row::medianMs).sum(); }

    /** A table: per layer ms and share of the layers' sum; then pooling's share and the whole model. */
    public String toTable() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%3s  %-18s %-16s %10s %7s%n", "#", "layer", "output shape", "ms", "share"));
        double total = layersMs();
        for (Row r : rows) {
            sb.append(String.format(Locale.ROOT, "%3d  %-18s %-16s %10.3f %6.1f%%%n", r.index(), r.layer(),
                    Arrays.toString(r.outputShape()), r.medianMs(), 100 * r.medianMs() / total));
        }
        sb.append(String.format(Locale.ROOT, "layers one by one: %.3f ms per batch of %d (%d thread(s)); pooling %.3f ms"
                + " = %.1f%%%n", total, batch, threads, poolingMs(), 100 * poolingMs() / total));
        sb.append(String.format(Locale.ROOT, "whole model (activations in place, activation+MaxPool fused): %.3f ms"
                + " per batch = %.1f samples/s%n", modelMs, batch * 1000 / modelMs));
        return sb.toString();
    }
}
