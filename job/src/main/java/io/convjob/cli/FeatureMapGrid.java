package io.convjob.cli;

import io.convjob.Tensor;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

/**
 * A PNG-able grid of feature maps: one row per tensor (the input, then each layer's output), one cell per channel
 * (up to a maximum), each map scaled to the cell with nearest-neighbour pixels and stretched to its own min..max
 * gray range. Rank-1 outputs (a flattened vector) are drawn as one strip of bars. Rows are separated by a dark line.
 */
final class FeatureMapGrid {
    private static final int GAP = 2;
    private final int cell;
    private final int maxChannels;
    private final List<Tensor> rows = new ArrayList<>();

    FeatureMapGrid(int cell, int maxChannels) {
        this.cell = cell;
        this.maxChannels = maxChannels;
    }

    void add(Tensor sample) {
        rows.add(sample);
    }

    /** How many cells the row of {@code t} has. */
    int cells(Tensor t) {
        return t.rank() == 1 ? 1 : Math.min(t.dim(0), maxChannels);
    }

    BufferedImage render() {
        int columns = 1;
        for (Tensor t : rows) columns = Math.max(columns, cells(t));
        int width = columns * (cell + GAP) + GAP;
        int height = rows.size() * (cell + GAP) + GAP;
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        var raster = image.getRaster();
        for (int y = 0; y < height; y++) for (int x = 0; x < width; x++) raster.setSample(x, y, 0, 40);
        for (int r = 0; r < rows.size(); r++) {
            Tensor t = rows.get(r);
            int top = GAP + r * (cell + GAP);
            if (t.rank() == 1) {
                drawBars(raster, t.data(), GAP, top, columns * (cell + GAP) - GAP);
                continue;
            }
            int h = t.rank() >= 3 ? t.dim(1) : 1;
            int w = t.rank() >= 3 ? t.dim(2) : t.dim(1);
            int plane = Math.toIntExact(Tensor.elementCount(t.shape()) / t.dim(0));
            for (int c = 0; c < cells(t); c++) {
                int left = GAP + c * (cell + GAP);
                float min = Float.POSITIVE_INFINITY;
                float max = Float.NEGATIVE_INFINITY;
                for (int i = 0; i < plane; i++) {
                    float v = t.data()[c * plane + i];
                    min = Math.min(min, v);
                    max = Math.max(max, v);
                }
                float range = max > min ? max - min : 1;
                for (int y = 0; y < cell; y++) {
                    int sy = y * h / cell;
                    for (int x = 0; x < cell; x++) {
                        int sx = x * w / cell;
                        // deeper spatial dims (3D volumes): the first slice of each
                        float v = t.data()[c * plane + sy * w + sx];
                        raster.setSample(left + x, top + y, 0, Math.round(255 * (v - min) / range));
                    }
                }
            }
        }
        return image;
    }

    private void drawBars(java.awt.image.WritableRaster raster, float[] v, int left, int top, int width) {
        float max = 0;
        for (float f : v) max = Math.max(max, Math.abs(f));
        if (max == 0) max = 1;
        for (int x = 0; x < width; x++) {
            float f = v[(int) ((long) x * v.length / width)];
            int bar = Math.round(cell * Math.abs(f) / max);
            for (int y = 0; y < cell; y++) raster.setSample(left + x, top + y, 0, cell - y <= bar ? (f >= 0 ? 230 : 120) : 0);
        }
    }
}
