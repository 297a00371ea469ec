package io.convjob.fast;

/** Per-thread scratch reused across calls and layers; grows, never shrinks (fresh pages are slow here). */
final class Workspace {
    float[] patches = new float[0];
    float[] outTile = new float[0];
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

    float[] outTile(int size) {
        if (outTile.length < size) outTile = new float[size];
        return outTile;
    }

    /** The split input of {@link DirectConv}, owned by the calling thread and read by the pool's workers. */
    float[] split = new float[0];

    float[] split(int size) {
        if (split.length < size) split = new float[size];
        return split;
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
