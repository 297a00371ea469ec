package io.convjob.job;

import java.util.ArrayList;
import java.util.List;

/**
 * Cosine similarity between feature vectors, and each vector's nearest others: what a similarity search does. The
 * vectors may be centred on their mean first: features after a ReLU and a global pool are all positive and share a
 * large common direction, which would otherwise make every pair look alike (cosines near 1).
 */
public final class NearestNeighbours {
    private final float[][] unit;

    /** The vectors minus their mean (per element). */
    public static List<float[]> centred(List<float[]> features) {
        int n = features.isEmpty() ? 0 : features.get(0).length;
        double[] mean = new double[n];
        for (float[] f : features) for (int j = 0; j < n; j++) mean[j] += f[j] / (double) features.size();
        List<float[]> out = new ArrayList<>();
        for (float[] f : features) {
            float[] c = new float[n];
            for (int j = 0; j < n; j++) c[j] = (float) (f[j] - mean[j]);
            out.add(c);
        }
        return out;
    }

    /** One match: the other vector's index and the cosine similarity. */
    public record Match(int index, double cosine) {}

    /** @param features one vector per item, all of one length; a zero vector is similar to nothing (cosine 0) */
    public NearestNeighbours(List<float[]> features) {
        unit = new float[features.size()][];
        for (int i = 0; i < unit.length; i++) {
            float[] f = features.get(i);
            double norm = 0;
            for (float v : f) norm += (double) v * v;
            double scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
            unit[i] = new float[f.length];
            for (int j = 0; j < f.length; j++) unit[i][j] = (float) (f[j] * scale);
            if (i > 0 && f.length != unit[0].length) {
                throw new IllegalArgumentException("vector " + i + " has " + f.length + " values, vector 0 " + unit[0].length);
            }
        }
    }

    public double cosine(int a, int b) {
        double dot = 0;
        for (int j = 0; j < unit[a].length; j++) dot += (double) unit[a][j] * unit[b][j];
        return dot;
    }

    /** The {@code k} most similar other items, most similar first (ties: lower index first). */
    public List<Match> nearest(int query, int k) {
        List<Match> all = new ArrayList<>();
        for (int i = 0; i < unit.length; i++) if (i != query) all.add(new Match(i, cosine(query, i)));
        all.sort((x, y) -> x.cosine() != y.cosine() ? Double.compare(y.cosine(), x.cosine()) : Integer.compare(x.index(), y.index()));
        return all.subList(0, Math.min(k, all.size()));
    }
}
