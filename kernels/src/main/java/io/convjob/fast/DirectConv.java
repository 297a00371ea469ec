package io.convjob.fast;

import io.convjob.engine.PreparedConv;
import io.convjob.shape.ConvGeometry;

import java.util.Arrays;

/**
 * Convolution without im2col. The input of each sample is first split once into {@link SplitInput} (padding,
 * pre-padding modes, lhs dilation and window strides all resolved there, a copy about the size of the input);
 * then every stride phase of {@link ConvPlan} is a dense sum over taps where each tap reads a contiguous run of the
 * split input. Output rows along the innermost dims are flattened when that wastes fewer lanes (narrow rows): the
 * split input's row pitch then leaves a few garbage positions per row, computed and dropped.
 *
 * <p>General layers go through an 8-channel x 2-vector register-blocked {@link DirectKernel}; depthwise layers
 * (one input and output channel per group) through its depthwise loop, one channel per work item (the depthwise 3x3
 * at stride 1 and padding 1 goes to {@link Depthwise3x3} instead).
 */
final class DirectConv implements PreparedConv {
    private static final int ROWS = DirectKernel.ROWS;
    /** {@link #itemPartner} of an item computed by its partner's item. */
    private static final int PAIRED = -2;
    /** Positions per work item in vectors: rows split so threads balance and B stays in L2. */
    private static final int CHUNK_VECTORS = 16;
    /** Row blocks (of 8 output channels) per work item: wide layers split over channels too, for threads. */
    private static final int BLOCKS_PER_ITEM = 4;
    /** Split inputs of several samples are built (then used) together up to this many floats. */
    private static final int SPLIT_BATCH_FLOATS = 1 << 21;
    /**
     * Samples whose split is at most this many floats (4 MB) are split and computed whole by one thread, into a
     * buffer of its own; larger ones are split once and shared by all threads.
     */
    private static final int MAX_OWN_SPLIT_FLOATS = 1 << 20;
    /** Whole-sample splits are filled in bands of at least this many floats (all channels), 128 KB. */
    private static final int BAND_FLOATS = 1 << 15;
    /** Layers whose split input of one sample exceeds this many floats use {@link TiledConv}. */
    static final int MAX_SPLIT_FLOATS = 1 << 24;

    private final ConvPlan plan;
    private final SplitInput split;
    private final DirectKernel kernel;
    private final ThreadLocal<Workspace> workspaces;
    private final float[] weight;
    private final int splitBatchFloats;
    private final int maxOwnSplitFloats;
    private final boolean depthwise;
    private final int lanes;
    private final PhaseWork[] work;
    /** Per group, the bias of each row block padded to 8 (zeros where absent). */
    private final float[][] bias8;
    private final int[] itemGroup;
    private final int[] itemPhase;
    private final int[] itemIndex;
    private final int[] itemBlock;
    /**
     * Per item: the item of the partner phase ({@link #partnerPhases}) computed together with it, {@link #PAIRED}
     * when the partner computes this one, or -1.
     */
    private final int[] itemPartner;
    /** Items {@code [taskStart[t], taskStart[t + 1])} run as one parallel task: the phases of one output region. */
    private final int[] taskStart;
    /**
     * Pointwise layers on an unpadded input (1x1 convs, stride-k transposed convs with k x k kernels): the split is
     * stored chunk-major, {@code [chunk][channel][position]}, so a tile's depth rows lie within a few pages instead
     * of one page per channel. The chunk length, or 0 for the plain layout.
     */
    private final int blockedChunk;
    private final int[] blockedKOff;
    private final int blockGroups;
    /**
     * Parts ({@link SplitInput#parts}) of every split block that tasks {@code 0..t} read (whole-sample path), or
     * empty: a thread fills its split band by band just before the tasks that need it, so each band is computed
     * while it is still in its core's L2 instead of the whole split streaming out to L3 and back.
     */
    private final int[] taskLines;
    /** Per phase: its items run tile by tile, not row block by row block ({@link #tilesOuter(int[], int, int)}). */
    private final boolean[] tilesOuter;
    /** Pointwise layers: chunks per sample (each with its tasks of every group and row block group). */
    private final int chunkCount;
    /**
     * For tests: owners of whole samples compute none of their tasks, so every task is taken by the thread-sharing
     * path ({@link #takeOthersTasks}), also on one thread.
     */
    private final boolean ownersYield;
    /** The published input of a pointwise sample: its chunks are copied by whichever thread computes them. */
    private static final float[] NO_SPLIT = new float[0];
    /** How long a thread out of samples waits for another's split before it leaves that sample to its owner. */
    private static final long PUBLISH_WAIT_NANOS = 100_000;

    /** True when the split input of one sample stays under {@link #MAX_SPLIT_FLOATS}. */
    static boolean fits(ConvPlan plan, SplitInput split) {
        return (long) split.channelSize * plan.inChannels <= MAX_SPLIT_FLOATS;
    }

    DirectConv(ConvPlan plan, SplitInput split, float[] weight, DirectKernel kernel,
               ThreadLocal<Workspace> workspaces) {
        this(plan, split, weight, kernel, workspaces, SPLIT_BATCH_FLOATS, MAX_OWN_SPLIT_FLOATS);
    }

    /**
     * @param splitBatchFloats  split inputs of several samples are built together up to this many floats
     * @param maxOwnSplitFloats samples whose split is at most this many floats are computed whole by one thread (every
     *                          sample of a pointwise layer, which needs only a chunk, when this is positive)
     */
    DirectConv(ConvPlan plan, SplitInput split, float[] weight, DirectKernel kernel,
               ThreadLocal<Workspace> workspaces, int splitBatchFloats, int maxOwnSplitFloats) {
        this(plan, split, weight, kernel, workspaces, splitBatchFloats, maxOwnSplitFloats, null);
    }

    /** @param forcedOrder every phase's item order ({@link #tilesOuter}), or null to choose it per phase */
    DirectConv(ConvPlan plan, SplitInput split, float[] weight, DirectKernel kernel,
               ThreadLocal<Workspace> workspaces, int splitBatchFloats, int maxOwnSplitFloats, Boolean forcedOrder) {
        this(plan, split, weight, kernel, workspaces, splitBatchFloats, maxOwnSplitFloats, forcedOrder, false);
    }

    /** @param ownersYield for tests: every whole-sample task goes through {@link #takeOthersTasks} */
    DirectConv(ConvPlan plan, SplitInput split, float[] weight, DirectKernel kernel,
               ThreadLocal<Workspace> workspaces, int splitBatchFloats, int maxOwnSplitFloats, Boolean forcedOrder,
               boolean ownersYield) {
        this.ownersYield = ownersYield;
        this.plan = plan;
        this.splitBatchFloats = splitBatchFloats;
        this.maxOwnSplitFloats = maxOwnSplitFloats;
        this.split = split;
        this.weight = weight;
        this.kernel = kernel;
        this.workspaces = workspaces;
        this.lanes = kernel.lanes();
        this.depthwise = plan.inPerGroup == 1 && plan.outPerGroup == 1 && plan.phases.length == 1
                && plan.phases[0].tapCount == plan.geometry.kernelSize();
        this.work = new PhaseWork[plan.phases.length];
        this.blockGroups = (plan.mBlocks + BLOCKS_PER_ITEM - 1) / BLOCKS_PER_ITEM;
        int items = 0;
        for (int p = 0; p < work.length; p++) {
            work[p] = new PhaseWork(plan, split, plan.phases[p], lanes);
            items += plan.groups * work[p].items() * blockGroups;
        }
        this.bias8 = new float[plan.groups][plan.mBlocks * ROWS];
        for (int grp = 0; grp < plan.groups; grp++) {
            for (int co = 0; co < plan.outPerGroup && plan.bias != null; co++) {
                bias8[grp][co] = plan.bias[grp * plan.outPerGroup + co];
            }
        }
        itemGroup = new int[items];
        itemPhase = new int[items];
        itemIndex = new int[items];
        itemBlock = new int[items];
        int i = 0;
        int maxItems = 0;
        for (PhaseWork pw : work) maxItems = Math.max(maxItems, pw.items());
        int[] starts = new int[plan.groups * maxItems * blockGroups + 1];
        int tasks = 0;
        // the phases of one region run together, one after another: they write neighbouring outputs (the lines stay
        // cached), and no other thread writes those lines meanwhile
        for (int grp = 0; grp < plan.groups; grp++) {
            for (int j = 0; j < maxItems; j++) {
                for (int bg = 0; bg < blockGroups; bg++) {
                    starts[tasks++] = i;
                    for (int p = 0; p < work.length; p++) {
                        if (j >= work[p].items()) continue;
                        itemGroup[i] = grp;
                        itemPhase[i] = p;
                        itemIndex[i] = j;
                        itemBlock[i] = bg * BLOCKS_PER_ITEM;
                        i++;
                    }
                }
            }
        }
        starts[tasks] = i;
        this.taskStart = java.util.Arrays.copyOf(starts, tasks + 1);
        this.chunkCount = tasks / Math.max(1, plan.groups * blockGroups);
        this.itemPartner = itemPartners(partnerPhases(work), itemGroup, itemPhase, itemIndex, itemBlock, taskStart);
        boolean blocked = !depthwise && split.identity && work.length > 0;
        for (PhaseWork pw : work) {
            blocked &= pw.rows == 1 && pw.span == pw.phase.positions && pw.phase.tapCount == 1 && pw.kOff[0] == 0
                    && pw.chunk == work[0].chunk;
        }
        this.blockedChunk = blocked ? work[0].chunk : 0;
        this.blockedKOff = new int[blocked ? plan.inPerGroup : 0];
        for (int ci = 0; ci < blockedKOff.length; ci++) blockedKOff[ci] = ci * blockedChunk;
        this.tilesOuter = new boolean[work.length];
        // pointwise chunks: B rows one fixed stride apart, a stream the prefetcher follows like A (the 1x1 measured
        // 1% slower with its tiles outermost at low load)
        for (int p = 0; p < work.length; p++) {
            tilesOuter[p] = forcedOrder != null ? forcedOrder
                    : !blocked && tilesOuter(work[p].kOff, work[p].phase.depth, lanes);
        }
        // 1-D only: there one long line per channel and block is split whole, streams out of L2 before it is read,
        // and banding gained ~8% (c1d_k5d2_128_4096, 1 and 2 threads); 2-D and 3-D splits built whole in one pass
        // measured 0-10% faster than banded (interleaved A/B, busy machine)
        this.taskLines = depthwise || blocked || plan.dims != 1 ? new int[0] : taskLines(plan, split, work,
                taskStart, itemPhase, itemIndex, lanes);
    }

    /**
     * Per phase, the phase whose outputs are its own shifted by one along the innermost dim (phase period 2 there,
     * residues r and r + 1, the same positions), or -1. Their tiles are computed together and written interleaved,
     * whole vectors into y ({@link DirectKernel#interleave}), instead of each scattered with step 2 (a stride-2
     * transposed conv's phases, say).
     */
    private static int[] partnerPhases(PhaseWork[] work) {
        int[] partner = new int[work.length];
        Arrays.fill(partner, -1);
        for (int p = 0; p < work.length; p++) {
            for (int q = 0; q < work.length && partner[p] < 0; q++) {
                if (shiftedByOne(work[p], work[q])) partner[p] = q;
            }
        }
        return partner;
    }

    private static boolean shiftedByOne(PhaseWork a, PhaseWork b) {
        int n = a.phase.residue.length;
        if (a.contiguous || a.runStep != 2 || b.runStep != 2 || a.phase.residue[n - 1] + 1 != b.phase.residue[n - 1]
                || a.flat != b.flat || a.rows != b.rows || a.span != b.span || a.chunk != b.chunk) {
            return false;
        }
        for (int d = 0; d < n; d++) {
            if (a.phase.count[d] != b.phase.count[d] || a.phase.period[d] != b.phase.period[d]) return false;
            if (d < n - 1 && a.phase.residue[d] != b.phase.residue[d]) return false;
        }
        for (int p = 0; p < a.span; p++) {
            if (a.outIndex[p] < 0 ? b.outIndex[p] >= 0 : b.outIndex[p] != a.outIndex[p] + 1) return false;
        }
        return true;
    }

    /** {@link #itemPartner}: a partner phase's item of the same task, group, region and row blocks. */
    private static int[] itemPartners(int[] partnerPhase, int[] itemGroup, int[] itemPhase, int[] itemIndex,
                                      int[] itemBlock, int[] taskStart) {
        int[] partner = new int[itemPhase.length];
        Arrays.fill(partner, -1);
        for (int t = 0; t + 1 < taskStart.length; t++) {
            for (int i = taskStart[t]; i < taskStart[t + 1]; i++) {
                int q = partnerPhase[itemPhase[i]];
                if (q < 0 || partner[i] != -1) continue;
                for (int k = taskStart[t]; k < taskStart[t + 1]; k++) {
                    if (k != i && itemPhase[k] == q && partner[k] == -1 && itemGroup[k] == itemGroup[i]
                            && itemIndex[k] == itemIndex[i] && itemBlock[k] == itemBlock[i]) {
                        partner[i] = k;
                        partner[k] = PAIRED;
                        break;
                    }
                }
            }
        }
        return partner;
    }

    /** Per task, the parts of every block that it and the tasks before it read (see {@link #taskLines}). */
    private static int[] taskLines(ConvPlan plan, SplitInput split, PhaseWork[] work, int[] taskStart,
                                   int[] itemPhase, int[] itemIndex, int lanes) {
        int parts = split.parts();
        int partLength = split.partLength();
        int[] maxTapOffset = new int[work.length];
        for (int p = 0; p < work.length; p++) {
            for (int t = 0; t < work[p].phase.tapCount; t++) {
                maxTapOffset[p] = Math.max(maxTapOffset[p], split.tapBase(plan.geometry, work[p].phase, t)
                        % split.blockSize);
            }
        }
        int[] need = new int[taskStart.length - 1];
        int upTo = 0;
        int filled = 0;
        int minParts = Math.max(1, BAND_FLOATS / Math.max(1, plan.inChannels * split.blocks * partLength));
        for (int t = 0; t < need.length; t++) {
            for (int i = taskStart[t]; i < taskStart[t + 1]; i++) {
                PhaseWork pw = work[itemPhase[i]];
                ConvPlan.Phase ph = pw.phase;
                int rest = itemIndex[i] / pw.chunks;
                int p0 = (itemIndex[i] % pw.chunks) * pw.chunk;
                int valid = Math.min(pw.chunk, pw.span - p0);
                long offset = p0;
                for (int d = plan.dims - pw.flat - 1; d >= 0; d--) {
                    offset += (long) (rest % ph.count[d]) * split.strides[d];
                    rest /= ph.count[d];
                }
                // the last read of the item: its last tile may read up to two vectors past its valid positions
                long last = offset + maxTapOffset[itemPhase[i]] + valid + 2L * lanes;
                upTo = (int) Math.max(upTo, Math.min(parts, (last + partLength - 1) / partLength));
            }
            // bands of at least BAND_FLOATS over all channels: one line per band would spend more on the calls
            if (upTo > filled) filled = Math.min(parts, Math.max(upTo, filled + minParts));
            need[t] = filled;
        }
        return need;
    }

    /** One phase: which trailing dims are flattened into rows, and where each tap's run starts. */
    static final class PhaseWork {
        final ConvPlan.Phase phase;
        /** Trailing dims flattened into one row of positions. */
        final int flat;
        final int rows;
        /** Positions per row, garbage included: offsets in the split input's block. */
        final int span;
        final int chunk;
        final int chunks;
        /** Split-input offset of depth row k = ci * tapCount + t (ci from the group's first channel). */
        final int[] kOff;
        /** Output offset (flattened dims, residues included) of each row position, or -1 for garbage. */
        final int[] outIndex;
        /** Row position p is output p (no garbage, no phase stride): kernels write whole vectors into y. */
        final boolean contiguous;
        /**
         * Runs {@code [runStart[i], runStart[i] + runLen[i])} of positions whose outputs are {@code runStep} apart
         * (the phase period along the innermost dim), in position order.
         */
        final int[] runStart;
        final int[] runLen;
        final int runStep;

        PhaseWork(ConvPlan plan, SplitInput split, ConvPlan.Phase ph, int lanes) {
            ConvGeometry g = plan.geometry;
            int n = plan.dims;
            this.phase = ph;
            int bestFlat = 1;
            long bestCost = Long.MAX_VALUE;
            for (int f = 1; f <= n; f++) {
                long cost = rows(ph, n - f) * rowCost(span(ph, split, n - f), lanes);
                boolean direct = f == 1 && ph.period[n - 1] == 1 || span(ph, split, n - f) == ph.positions;
                // scattering a tile costs about as much as 24 depth steps of the kernel
                if (!direct) cost += cost * 24 / Math.max(1, ph.depth);
                if (cost < bestCost) {
                    bestCost = cost;
                    bestFlat = f;
                }
            }
            this.flat = bestFlat;
            this.rows = (int) rows(ph, n - flat);
            this.span = span(ph, split, n - flat);
            int maxChunk = CHUNK_VECTORS * lanes;
            this.chunk = Math.min(span, maxChunk);
            this.chunks = (span + chunk - 1) / chunk;
            this.kOff = new int[ph.depth];
            for (int ci = 0; ci < plan.inPerGroup; ci++) {
                for (int t = 0; t < ph.tapCount; t++) kOff[ci * ph.tapCount + t] = ci * split.channelSize + split.tapBase(g, ph, t);
            }
            this.outIndex = new int[span];
            Arrays.fill(outIndex, -1);
            int first = n - flat;
            int[] q = new int[n];
            boolean done = false;
            while (!done) {
                int p = 0;
                int o = 0;
                for (int d = first; d < n; d++) {
                    p += q[d] * split.strides[d];
                    o += (ph.residue[d] + ph.period[d] * q[d]) * plan.outStrides[d];
                }
                outIndex[p] = o;
                done = true;
                for (int d = n - 1; d >= first; d--) {
                    if (++q[d] < ph.count[d]) {
                        done = false;
                        break;
                    }
                    q[d] = 0;
                }
            }
            boolean identity = true;
            for (int p = 0; p < span && identity; p++) identity = outIndex[p] == p;
            this.contiguous = identity;
            this.runStep = ph.period[n - 1];
            int runs = 0;
            int[] start = new int[span];
            int[] len = new int[span];
            for (int p = 0; p < span; p++) {
                if (outIndex[p] < 0) continue;
                if (runs > 0 && start[runs - 1] + len[runs - 1] == p && outIndex[p - 1] + runStep == outIndex[p]) {
                    len[runs - 1]++;
                } else {
                    start[runs] = p;
                    len[runs++] = 1;
                }
            }
            this.runStart = Arrays.copyOf(start, runs);
            this.runLen = Arrays.copyOf(len, runs);
        }

        int items() { return rows * chunks; }

        private static long rows(ConvPlan.Phase ph, int first) {
            long r = 1;
            for (int d = 0; d < first; d++) r *= ph.count[d];
            return r;
        }

        private static int span(ConvPlan.Phase ph, SplitInput split, int first) {
            int s = 1;
            for (int d = first; d < ph.count.length; d++) s += (ph.count[d] - 1) * split.strides[d];
            return s;
        }

        /** Time of one row in quarter tiles: a one-vector tile (8 accumulators) runs at about 3/4 the rate. */
        private static long rowCost(int span, int lanes) {
            int rest = span % (2 * lanes);
            return span / (2 * lanes) * 4L + (rest == 0 ? 0 : rest > lanes ? 4 : 3);
        }
    }

    @Override public ConvGeometry geometry() { return plan.geometry; }

    @Override public void run(float[] x, float[] y, int batch, int threads) {
        if (work.length == 0) return;
        if (depthwise) {
            WorkPool.forEach(batch * plan.outChannels, threads, item -> depthwiseItem(x, y, item, workspaces.get()));
            return;
        }
        int chunks = blockedChunk == 0 ? 0 : (plan.inSize + blockedChunk - 1) / blockedChunk;
        int perSampleSplit = blockedChunk == 0 ? split.channelSize * plan.inChannels
                : chunks * plan.inChannels * blockedChunk;
        int whole = 0;
        // pointwise layers need a chunk buffer per thread, never a whole split, whatever the sample's size
        if (blockedChunk != 0 ? maxOwnSplitFloats > 0 : perSampleSplit <= maxOwnSplitFloats) {
            // whole samples per thread, in full rounds (every thread one sample per round): each thread splits its
            // sample into its own buffer and computes it while that is still in its core's cache; no barrier
            // between split and compute, no split shared between cores. The samples left over (fewer than threads)
            // go through the finer shared items below, so no thread idles while another finishes a whole sample.
            // A thread out of samples takes the last tasks of another's (SampleTasks).
            whole = threads <= 1 ? batch : batch - batch % threads;
            if (threads <= 1 && !ownersYield) {
                Workspace ws = workspaces.get();
                for (int b = 0; b < whole; b++) {
                    if (blockedChunk != 0) {
                        for (int c = 0; c < chunkCount; c++) blockedChunk(x, y, b, c, ws);
                    } else {
                        ownSample(x, y, b, ws, perSampleSplit, null);
                    }
                }
            } else if (whole > 0) {
                // each thread owns whole samples; a thread that runs out takes tasks from the back of another's
                SampleTasks shares = new SampleTasks(whole, blockedChunk != 0 ? chunkCount : taskStart.length - 1);
                WorkPool.forEach(Math.min(threads, whole), threads, lane -> {
                    Workspace ws = workspaces.get();
                    int firstOwned = -1;
                    int lastOwned = -1;
                    try {
                        for (int b = shares.claimSample(); b >= 0; b = shares.claimSample()) {
                            ownSample(x, y, b, ws, perSampleSplit, shares);
                            if (firstOwned < 0) firstOwned = b;
                            lastOwned = b;
                        }
                        takeOthersTasks(x, y, shares, ws);
                    } catch (RuntimeException | Error e) {
                        shares.fail(); // owners waiting for a task this thread took stop waiting; the call fails
                        throw e;
                    }
                    awaitOwnSamples(shares, firstOwned, lastOwned);
                });
            }
        }
        if (whole < batch) runShared(x, y, whole, batch - whole, threads, perSampleSplit);
    }

    /**
     * Samples {@code [first, first + batch)}, every thread on every sample: their splits are built together (up to
     * {@code splitBatchFloats}) by all threads into one buffer, then all threads compute from it.
     */
    private void runShared(float[] x, float[] y, int firstSample, int batch, int threads, int perSampleSplit) {
        int perSample = taskStart.length - 1;
        int samplesPerRound = Math.max(1, Math.min(batch, splitBatchFloats / Math.max(1, perSampleSplit)));
        float[] s = workspaces.get().split(this, samplesPerRound * perSampleSplit + SplitInput.SLACK);
        for (int b0 = firstSample; b0 < firstSample + batch; b0 += samplesPerRound) {
            int first = b0;
            int count = Math.min(samplesPerRound, firstSample + batch - b0);
            if (blockedChunk == 0) {
                WorkPool.forEach(count * plan.inChannels, threads, item -> split.fill(x,
                        (first * plan.inChannels + item) * plan.inSize, s, item * split.channelSize, kernel));
            } else {
                WorkPool.forEach(count * plan.inChannels, threads, item -> fillBlocked(x,
                        (first * plan.inChannels + item) * plan.inSize, s,
                        item / plan.inChannels * perSampleSplit + item % plan.inChannels * blockedChunk));
            }
            WorkPool.forEach(count * perSample, threads, task -> {
                int sample = task / perSample;
                int t = task % perSample;
                Workspace ws = workspaces.get();
                for (int i = taskStart[t]; i < taskStart[t + 1]; i++) {
                    computeItem(s, sample * perSampleSplit, y, first + sample, i, ws);
                }
            });
        }
    }

    /**
     * Sample b's split and tasks, as their owner. Without {@code shares} (one thread) every task in order; with it,
     * the split is published for other threads once complete and tasks are taken from its front until none is left.
     */
    private void ownSample(float[] x, float[] y, int b, Workspace ws, int perSampleSplit, SampleTasks shares) {
        if (blockedChunk != 0) {
            shares.publish(b, NO_SPLIT);
            if (ownersYield) return;
            for (int c = shares.claimFront(b); c >= 0; c = shares.claimFront(b)) blockedChunk(x, y, b, c, ws);
            return;
        }
        int perSample = taskStart.length - 1;
        // a thread takes others' tasks only once no sample is left to own, so no owner refills its buffer while
        // another thread still reads it; owners that yield go on to their next sample at once, so take fresh ones
        float[] s = ownersYield ? new float[perSampleSplit + SplitInput.SLACK]
                : ws.split(this, perSampleSplit + SplitInput.SLACK);
        if (taskLines.length == 0 || ownersYield) {
            splitSample(x, b, s, 0);
            if (shares == null) {
                for (int t = 0; t < perSample; t++) task(s, y, b, t, ws);
                return;
            }
            shares.publish(b, s);
            if (ownersYield) return;
            int done = 0;
            for (int t = shares.claimFront(b); t >= 0; t = shares.claimFront(b), done++) task(s, y, b, t, ws);
            shares.finished(b, done);
            return;
        }
        // banded: others may take tasks only once every band is in (they take them from the back)
        int last = taskLines[perSample - 1];
        int filled = 0;
        int done = 0;
        if (shares != null && last == 0) shares.publish(b, s);
        for (int t = next(shares, b, -1); t >= 0; t = next(shares, b, t), done++) {
            if (taskLines[t] > filled) {
                for (int ci = 0; ci < plan.inChannels; ci++) {
                    split.fillPart(x, (b * plan.inChannels + ci) * plan.inSize, s, ci * split.channelSize, kernel,
                            filled, taskLines[t]);
                }
                filled = taskLines[t];
                if (shares != null && filled >= last) shares.publish(b, s);
            }
            task(s, y, b, t, ws);
        }
        if (shares != null) shares.finished(b, done);
    }

    /** The owner's task after {@code t}: the next in order without {@code shares}, else the next free one, or -1. */
    private int next(SampleTasks shares, int b, int t) {
        if (shares != null) return shares.claimFront(b);
        return t + 1 < taskStart.length - 1 ? t + 1 : -1;
    }

    /**
     * A thread without samples of its own: tasks from the back of samples other threads own, while two or more are
     * free. A sample whose owner is still building its split is waited for up to {@link #PUBLISH_WAIT_NANOS}, then left
     * to its owner: a thread spinning longer takes the CPU an owner on a busy machine may be waiting for (measured:
     * a late helper spinning on the 7x7 stem's second sample made calls 14% slower at load 8).
     */
    private void takeOthersTasks(float[] x, float[] y, SampleTasks shares, Workspace ws) {
        long waitingSince = 0;
        while (true) {
            boolean waiting = false;
            for (int b = 0; b < shares.samples(); b++) {
                if (!shares.hasFree(b)) continue;
                float[] s = shares.input(b);
                if (s == null) {
                    waiting = true;
                    continue;
                }
                // the last free task is left to the owner (which takes every task nobody else does): the owner has
                // the sample's split in its caches and runs it sooner than this thread, which would then end the call
                int minFree = ownersYield ? 1 : 2;
                int done = 0;
                for (int t = shares.claimBack(b, minFree); t >= 0; t = shares.claimBack(b, minFree), done++) {
                    if (blockedChunk != 0) blockedChunk(x, y, b, t, ws);
                    else task(s, y, b, t, ws);
                }
                shares.finished(b, done);
            }
            if (!waiting) return;
            long now = System.nanoTime();
            if (waitingSince == 0) waitingSince = now;
            else if (now - waitingSince > PUBLISH_WAIT_NANOS) return;
            Thread.onSpinWait();
        }
    }

    /**
     * Before a lane ends, the tasks other threads took from its samples {@code [first, last]} (those it owns among
     * them) must be done: once it ends, its thread may serve another call of this layer and refill the same split
     * buffer (one per layer and thread), as when an executor's tasks share a cached model. Waits at most for the
     * tasks in flight (nobody takes a new one once the owner has none left). Pointwise samples have no shared split.
     */
    private void awaitOwnSamples(SampleTasks shares, int first, int last) {
        if (first < 0 || blockedChunk != 0) return;
        for (int b = first; b <= last; b++) {
            if (shares.input(b) == NO_SPLIT || !shares.ownedByCaller(b)) continue;
            for (int spins = 0; !shares.allFinished(b) && !shares.failed(); spins++) {
                if (spins < 10_000) Thread.onSpinWait();
                else java.util.concurrent.locks.LockSupport.parkNanos(10_000); // a taker descheduled mid-task
            }
        }
    }

    /** Task t of sample b from its whole-sample split s. */
    private void task(float[] s, float[] y, int b, int t, Workspace ws) {
        for (int i = taskStart[t]; i < taskStart[t + 1]; i++) computeItem(s, 0, y, b, i, ws);
    }

    /**
     * Chunk c of sample b of a pointwise layer: the chunk's positions (every channel) are copied into a small
     * buffer of this thread and computed at once, so the copy stays in L1/L2 instead of a whole-sample split that
     * streams through L3 and back.
     */
    private void blockedChunk(float[] x, float[] y, int b, int c, Workspace ws) {
        int chunk = blockedChunk;
        int chunkFloats = plan.inChannels * chunk;
        float[] s = ws.chunk(chunkFloats + SplitInput.SLACK);
        int len = Math.min(chunk, plan.inSize - c * chunk);
        for (int ci = 0; ci < plan.inChannels; ci++) {
            System.arraycopy(x, (b * plan.inChannels + ci) * plan.inSize + c * chunk, s, ci * chunk, len);
        }
        // computeItem addresses chunk c at c * chunkFloats in a whole-sample split: shift the base so it lands on
        // this buffer's start (positions past len hold an earlier chunk's values; their outputs are dropped)
        int sSample = -c * chunkFloats;
        for (int grp = 0; grp < plan.groups; grp++) {
            for (int bg = 0; bg < blockGroups; bg++) {
                int t = (grp * chunkCount + c) * blockGroups + bg;
                for (int i = taskStart[t]; i < taskStart[t + 1]; i++) computeItem(s, sSample, y, b, i, ws);
            }
        }
    }

    /** Sample {@code b} of x, every channel, into the split layout at {@code s[sOff ..]}. */
    private void splitSample(float[] x, int b, float[] s, int sOff) {
        for (int ci = 0; ci < plan.inChannels; ci++) {
            int xc = (b * plan.inChannels + ci) * plan.inSize;
            if (blockedChunk == 0) {
                split.fill(x, xc, s, sOff + ci * split.channelSize, kernel);
            } else {
                fillBlocked(x, xc, s, sOff + ci * blockedChunk);
            }
        }
    }

    /** One channel into the chunk-major split: chunk c goes to {@code out[oc + c * inChannels * chunk ..]}. */
    private void fillBlocked(float[] x, int xc, float[] out, int oc) {
        int chunk = blockedChunk;
        int stride = plan.inChannels * chunk;
        for (int c = 0, p = 0; p < plan.inSize; c++, p += chunk) {
            System.arraycopy(x, xc + p, out, oc + c * stride, Math.min(chunk, plan.inSize - p));
        }
    }

    private void computeItem(float[] s, int sSample, float[] y, int b, int i, Workspace ws) {
        if (itemPartner[i] == PAIRED) return;
        ConvPlan p = plan;
        int grp = itemGroup[i];
        PhaseWork pw = work[itemPhase[i]];
        ConvPlan.Phase ph = pw.phase;
        int row = itemIndex[i] / pw.chunks;
        int p0 = (itemIndex[i] % pw.chunks) * pw.chunk;
        int valid = Math.min(pw.chunk, pw.span - p0);
        int n = p.dims;
        int sRow = sSample + grp * p.inPerGroup * split.channelSize;
        int yRow = (b * p.outChannels + grp * p.outPerGroup) * p.outSize;
        int rest = row;
        for (int d = n - pw.flat - 1; d >= 0; d--) {
            int q = rest % ph.count[d];
            rest /= ph.count[d];
            sRow += q * split.strides[d];
            yRow += (ph.residue[d] + ph.period[d] * q) * p.outStrides[d];
        }
        // B of position p0 + j is at sBase + j
        int sBase = sRow + p0;
        int[] kOff = pw.kOff;
        if (blockedChunk != 0) {
            sBase = sSample + (p0 / blockedChunk * p.inChannels + grp * p.inPerGroup) * blockedChunk;
            kOff = blockedKOff;
        }
        int depth = ph.depth;
        float[] a = ph.packed[grp];
        float[] bias = bias8[grp];
        int w2 = 2 * lanes;
        if (itemPartner[i] >= 0) {
            ConvPlan.Phase partner = work[itemPhase[itemPartner[i]]].phase;
            int[] kOff2 = blockedChunk != 0 ? kOff : work[itemPhase[itemPartner[i]]].kOff;
            computePair(pw, a, kOff, depth, partner.packed[grp], kOff2, partner.depth, bias, s, sBase, p0, valid,
                    itemBlock[i], y, yRow, ws);
            return;
        }
        float[] tile = ws.outTile(ROWS * w2);
        int mb0 = itemBlock[i];
        int mbEnd = Math.min(p.mBlocks, mb0 + BLOCKS_PER_ITEM);
        // the last tile is one vector wide when at most one vector of positions remains
        if (tilesOuter[itemPhase[i]]) {
            for (int j = 0; j < valid; j += w2) {
                for (int mb = mb0; mb < mbEnd; mb++) {
                    blockTile(pw, a, kOff, depth, bias, s, sBase, p0, valid, j, mb, y, yRow, tile);
                }
            }
        } else {
            for (int mb = mb0; mb < mbEnd; mb++) {
                for (int j = 0; j < valid; j += w2) {
                    blockTile(pw, a, kOff, depth, bias, s, sBase, p0, valid, j, mb, y, yRow, tile);
                }
            }
        }
    }

    /** The tile of an item at position {@code p0 + j}, row block {@code mb}: into y, or through {@code tile}. */
    private void blockTile(PhaseWork pw, float[] a, int[] kOff, int depth, float[] bias, float[] s, int sBase, int p0,
                           int valid, int j, int mb, float[] y, int yRow, float[] tile) {
        ConvPlan p = plan;
        int rem = valid - j;
        int w = rem > lanes ? 2 * lanes : lanes;
        int pos = p0 + j;
        int validRows = Math.min(ROWS, p.outPerGroup - mb * ROWS);
        int aOff = mb * depth * ROWS;
        int yBlock = yRow + mb * ROWS * p.outSize;
        if (pw.contiguous && rem >= w) {
            tile(w, a, aOff, s, sBase + j, kOff, depth, bias, mb * ROWS, y, yBlock + pos, p.outSize, validRows);
        } else {
            tile(w, a, aOff, s, sBase + j, kOff, depth, bias, mb * ROWS, tile, 0, w, ROWS);
            scatter(pw, tile, w, pos, Math.min(w, rem), y, yBlock, p.outSize, validRows);
        }
    }

    /** Whether the items of phase {@code p} run tile by tile ({@link #tilesOuter(int[], int, int)}). */
    boolean runsTilesOuter(int p) {
        return tilesOuter[p];
    }

    /**
     * Whether an item runs tile by tile, each position tile through all its row blocks ({@link #tilesOuter}), for
     * depth rows {@code kOff}: when a tile's B rows span clearly more cache lines than a row block's A panel. Either
     * order re-reads one of the two from L1 and streams the other from L2; A is read in order (the prefetcher
     * follows it), B jumps by the tap and channel offsets. Only where a tile's row of B is two cache lines (512-bit
     * vectors). (Measured, 1 thread, against row blocks outermost: at 512 bits the 3x3 on 56x56 (B 2x A) +1% at
     * load 3-4, +2-7% at load 8-12; the dilated 1-D layer (1.2x) -1..-3%; at 256 bits the 1x1 (2x) -1%.)
     */
    static boolean tilesOuter(int[] kOff, int depth, int lanes) {
        int perLine = 16; // floats in a 64-byte cache line
        if (lanes < perLine) return false;
        int span = (2 * lanes - 1) / perLine + 2;
        long[] lines = new long[depth * span];
        int n = 0;
        for (int k = 0; k < depth; k++) {
            long last = (kOff[k] + 2L * lanes - 1) / perLine;
            for (long line = kOff[k] / perLine; line <= last; line++) lines[n++] = line;
        }
        Arrays.sort(lines, 0, n);
        long distinct = 0;
        for (int i = 0; i < n; i++) if (i == 0 || lines[i] != lines[i - 1]) distinct++;
        long aLines = ((long) depth * ROWS + perLine - 1) / perLine;
        return 2 * distinct > 3 * aLines;
    }

    /**
     * As {@link #computeItem}'s loop for an item and its partner's (the same positions, B rows {@code kOff} and
     * {@code kOff2}, A panels {@code a} and {@code a2}): both tiles of a region, then their columns interleaved into y.
     */
    private void computePair(PhaseWork pw, float[] a, int[] kOff, int depth, float[] a2, int[] kOff2, int depth2,
                             float[] bias, float[] s, int sBase, int p0, int valid, int firstBlock, float[] y,
                             int yRow, Workspace ws) {
        ConvPlan p = plan;
        int w2 = 2 * lanes;
        float[] tile = ws.outTile(2 * ROWS * w2);
        int mbEnd = Math.min(p.mBlocks, firstBlock + BLOCKS_PER_ITEM);
        for (int mb = firstBlock; mb < mbEnd; mb++) {
            int validRows = Math.min(ROWS, p.outPerGroup - mb * ROWS);
            int yBlock = yRow + mb * ROWS * p.outSize;
            for (int j = 0; j < valid; ) {
                int rem = valid - j;
                int w = rem > lanes ? w2 : lanes;
                tile(w, a, mb * depth * ROWS, s, sBase + j, kOff, depth, bias, mb * ROWS, tile, 0, w, ROWS);
                tile(w, a2, mb * depth2 * ROWS, s, sBase + j, kOff2, depth2, bias, mb * ROWS, tile, ROWS * w, w,
                        ROWS);
                scatterPair(pw, tile, w, p0 + j, Math.min(w, rem), y, yBlock, p.outSize, validRows);
                j += w;
            }
        }
    }

    /**
     * Two tiles ({@code [0, 8w)} of the phase, {@code [8w, 16w)} of its partner) to their outputs, run by run, each
     * pair of runs interleaved into one contiguous run.
     */
    private void scatterPair(PhaseWork pw, float[] tile, int w, int pos, int len, float[] y, int yBlock, int ldy,
                             int validRows) {
        int[] start = pw.runStart;
        int lo = firstRun(pw, pos);
        for (int ri = lo; ri < start.length && start[ri] < pos + len; ri++) {
            int from = Math.max(start[ri], pos);
            int count = Math.min(start[ri] + pw.runLen[ri], pos + len) - from;
            int o = yBlock + pw.outIndex[from];
            int t = from - pos;
            for (int r = 0; r < validRows; r++) {
                kernel.interleave(tile, r * w + t, tile, (ROWS + r) * w + t, y, o + r * ldy, count);
            }
        }
    }

    /** The first run of {@code pw} that ends after position {@code pos}. */
    private static int firstRun(PhaseWork pw, int pos) {
        int[] start = pw.runStart;
        int lo = 0;
        int hi = start.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (start[mid] + pw.runLen[mid] <= pos) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }

    /** Tile columns {@code [0, len)} (positions {@code pos..}) to their outputs, run by run. */
    private static void scatter(PhaseWork pw, float[] tile, int w, int pos, int len, float[] y, int yBlock, int ldy,
                                int validRows) {
        int[] start = pw.runStart;
        int lo = firstRun(pw, pos);
        int step = pw.runStep;
        for (int ri = lo; ri < start.length && start[ri] < pos + len; ri++) {
            int from = Math.max(start[ri], pos);
            int count = Math.min(start[ri] + pw.runLen[ri], pos + len) - from;
            int o = yBlock + pw.outIndex[from];
            int t = from - pos;
            for (int r = 0; r < validRows; r++) {
                int yr = o + r * ldy;
                int tr = r * w + t;
                if (step == 1) {
                    System.arraycopy(tile, tr, y, yr, count);
                } else {
                    for (int k = 0; k < count; k++) y[yr + k * step] = tile[tr + k];
                }
            }
        }
    }

    private void tile(int w, float[] a, int aOff, float[] b, int bOff, int[] kOff, int depth, float[] bias,
                      int biasOff, float[] c, int cOff, int ldc, int validRows) {
        if (w == lanes) {
            kernel.tile1(a, aOff, b, bOff, kOff, depth, bias, biasOff, c, cOff, ldc, validRows);
        } else {
            kernel.tile2(a, aOff, b, bOff, kOff, depth, bias, biasOff, c, cOff, ldc, validRows);
        }
    }

    /** One (sample, channel) of a depthwise layer: split that channel, run each row, copy the valid runs. */
    private void depthwiseItem(float[] x, float[] y, int item, Workspace ws) {
        ConvPlan p = plan;
        int c = item % p.outChannels;
        PhaseWork pw = work[0];
        ConvPlan.Phase ph = pw.phase;
        float[] s = ws.plane(this, split.channelSize + SplitInput.SLACK);
        split.fill(x, item * p.inSize, s, 0, kernel);
        int padded = (pw.span + lanes - 1) / lanes * lanes + lanes;
        float[] out = ws.outTile(padded);
        float b = p.bias == null ? 0f : p.bias[c];
        int taps = ph.tapCount;
        int n = p.dims;
        int rowLength = ph.count[n - 1];
        if (rowLength >= lanes) {
            // rows straight into y, two at a time: no flattened tile to copy out
            int rows = n == 1 ? 1 : ph.count[n - 2];
            int inPitch = n == 1 ? 0 : split.strides[n - 2];
            int outPitch = n == 1 ? 0 : p.outStrides[n - 2];
            int planes = ph.positions / (rows * rowLength);
            for (int plane = 0; plane < planes; plane++) {
                int sOff = 0;
                int yOff = item * p.outSize;
                int rest = plane;
                for (int d = n - 3; d >= 0; d--) {
                    int q = rest % ph.count[d];
                    rest /= ph.count[d];
                    sOff += q * split.strides[d];
                    yOff += q * p.outStrides[d];
                }
                kernel.depthwiseRows(s, sOff, inPitch, pw.kOff, taps, weight, c * taps, b, y, yOff, outPitch,
                        rowLength, rows);
            }
            return;
        }
        for (int row = 0; row < pw.rows; row++) {
            int sRow = 0;
            int yRow = item * p.outSize;
            int rest = row;
            for (int d = n - pw.flat - 1; d >= 0; d--) {
                int q = rest % ph.count[d];
                rest /= ph.count[d];
                sRow += q * split.strides[d];
                yRow += q * p.outStrides[d];
            }
            if (pw.contiguous && pw.span >= lanes) {
                kernel.depthwise(s, sRow, pw.kOff, taps, weight, c * taps, b, y, yRow, pw.span);
                continue;
            }
            kernel.depthwise(s, sRow, pw.kOff, taps, weight, c * taps, b, out, 0, pw.span);
            for (int r = 0; r < pw.runStart.length; r++) {
                int from = pw.runStart[r];
                System.arraycopy(out, from, y, yRow + pw.outIndex[from], pw.runLen[r]);
            }
        }
    }
}
