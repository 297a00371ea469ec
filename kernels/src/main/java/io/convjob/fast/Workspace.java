package io.convjob.fast;

/** Per-thread scratch reused across calls and layers; grows, never shrinks (fresh pages are slow here). */
final class Workspace {
    float[] patches = new float[0];
    float[] outTile = new float[0];
    float[] chunk = new float[0];
    int[] outPos = new int[0];
    int[] segStart = new int[0];
    int[] segLen = new int[0];
    int[] segInner = new int[0];
    int[] segOuter = new int[0];
    int[] coords = new int[0];

    float[] patches(int size) {
        if (patches.length < size) patches = new float[size];
        return patches;
    }

    /**
     * Chunk copies of {@link DirectConv}'s pointwise layers: floats past a short last chunk keep an earlier chunk's
     * values, which only feed outputs that are dropped.
     */
    float[] chunk(int size) {
        if (chunk.length < size) chunk = new float[size];
        return chunk;
    }

    float[] outTile(int size) {
        if (outTile.length < size) outTile = new float[size];
        return outTile;
    }

    /**
     * Split buffers of the last layers this thread ran: in a model stack the layers take turns, and each keeps its
     * buffer's padding zeros from call to call instead of re-zeroing a shared one at every switch (a memset of the
     * whole split per layer and call, as much memory traffic as the split itself when a few samples run at a time).
     */
    private static final int SPLIT_LAYERS = 8;
    private final Scratch[] splits = new Scratch[SPLIT_LAYERS];
    private long lastUse;
    private final Scratch plane = new Scratch();

    {
        for (int i = 0; i < splits.length; i++) splits[i] = new Scratch();
    }

    /**
     * The split buffer of {@code layer}, owned by the calling thread and read by the pool's workers: the first
     * {@code size} floats are zero wherever {@code layer} never writes. A layer beyond the last {@value #SPLIT_LAYERS}
     * takes over the least recently used buffer.
     */
    float[] split(Object layer, int size) {
        Scratch pick = splits[0];
        for (Scratch s : splits) {
            if (s.layer == layer) {
                pick = s;
                break;
            }
            if (s.lastUse < pick.lastUse) pick = s;
        }
        pick.lastUse = ++lastUse;
        return pick.zeroedFor(layer, size);
    }

    /** As {@link #split} for one channel at a time (depthwise layers), used by this thread only. */
    float[] plane(Object layer, int size) {
        return plane.zeroedFor(layer, size);
    }

    /** A buffer that remembers which layer's layout it holds and how far it is zeroed for it. */
    private static final class Scratch {
        private float[] data = new float[0];
        private Object layer;
        private int zeroed;
        private long lastUse;

        float[] zeroedFor(Object owner, int size) {
            if (data.length < size) {
                data = new float[size];
                zeroed = size;
            } else if (layer != owner) {
                java.util.Arrays.fill(data, 0, size, 0f);
                zeroed = size;
            } else if (zeroed < size) {
                java.util.Arrays.fill(data, zeroed, size, 0f);
                zeroed = size;
            }
            layer = owner;
            return data;
        }
    }

    void segments(int maxSegments, int dims, int positions) {
        if (segStart.length < maxSegments) {
            segStart = new int[maxSegments];
            segLen = new int[maxSegments];
            segInner = new int[maxSegments];
        }
        if (segOuter.length < maxSegments * Math.max(1, dims - 1)) segOuter = new int[maxSegments * Math.max(1, dims - 1)];
        if (outPos.length < positions) outPos = new int[positions];
        if (coords.length < dims) coords = new int[dims];
    }
}
