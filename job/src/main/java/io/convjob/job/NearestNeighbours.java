package io.convjob.job;

import java.util.ArrayList;
import java.util.List;

/** Cosine similarity between feature vectors, and each vector's nearest others: what a similarity search does. */
public final class NearestNeighbours {
    private final float[][] unit;

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
