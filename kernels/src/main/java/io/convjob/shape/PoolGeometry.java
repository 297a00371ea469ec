package io.convjob.shape;

import io.convjob.spec.PoolReduction;

import java.util.Arrays;
import java.util.Objects;

/**
 * A pooling layer applied to one input spatial shape: the reduction and one {@link WindowMap} per spatial dim.
 * Channels pass through; every channel is pooled alike.
 */
public record PoolGeometry(PoolReduction reduction, WindowMap[] maps) {
    public PoolGeometry {
        Objects.requireNonNull(reduction, "reduction");
        maps = maps.clone();
        if (maps.length == 0) throw new IllegalArgumentException("pooling needs at least one spatial dim");
    }

    @Override public WindowMap[] maps() { return maps.clone(); }

    public WindowMap map(int dim) { return maps[dim]; }

    public int spatialDims() { return maps.length; }

    public int[] inShape() {
        int[] s = new int[maps.length];
        for (int d = 0; d < s.length; d++) s[d] = maps[d].inSize();
        return s;
    }

    public int[] outShape() {
        int[] s = new int[maps.length];
        for (int d = 0; d < s.length; d++) s[d] = maps[d].outSize();
        return s;
    }

    /** Whether some output window lies wholly in the padding. */
    public boolean hasEmptyWindow() {
        for (WindowMap m : maps) if (m.hasEmptyWindow()) return true;
        return false;
    }

    /** Elements read per output element, summed: the work a pass over the windows does (for describe). */
    public long windowElements() {
        long total = 1;
        for (WindowMap m : maps) {
            long dim = 0;
            for (int o = 0; o < m.outSize(); o++) dim += m.count(o);
            total *= dim;
        }
        return total;
    }

    @Override public boolean equals(Object o) {
        return o instanceof PoolGeometry g && reduction == g.reduction && Arrays.equals(maps, g.maps);
    }

    @Override public int hashCode() { return 31 * reduction.hashCode() + Arrays.hashCode(maps); }

    @Override public String toString() { return "PoolGeometry[" + reduction + " " + Arrays.toString(maps) + "]"; }
}
