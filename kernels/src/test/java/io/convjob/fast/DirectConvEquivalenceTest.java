package io.convjob.fast;

import io.convjob.engine.ConvEngine;
import io.convjob.engine.PreparedConv;
import io.convjob.shape.ConvGeometry;
import io.convjob.shape.Shapes;
import io.convjob.spec.Padding;
import io.convjob.spec.PaddingMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;

import static io.convjob.fast.ConvCases.conv;
import static io.convjob.fast.ConvCases.explicit;
import static io.convjob.fast.ConvCases.pad;
import static io.convjob.fast.ConvCases.rep;
import static io.convjob.fast.ConvCases.transpose;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link DirectConv} against the reference on layers aimed at its paths: chunked long rows, flattened narrow rows,
 * strided split inputs under every padding mode, pointwise phases, transposed phases without taps, depthwise
 * layers; each at batch 1 and 3 and threads 1 and 2, batch 4 on 2 threads (whole samples per thread) and batch 5 on
 * 3 threads (whole samples, then the rest shared), at every vector size up to this CPU's.
 */
class DirectConvEquivalenceTest {
    private static final PaddingMode Z = PaddingMode.ZEROS;

    static List<ConvCases.Case> cases() {
        List<ConvCases.Case> c = new ArrayList<>();
        for (PaddingMode mode : PaddingMode.values()) {
            add(c, "3x3 s2 narrow rows " + mode, conv(2, 6, 9, rep(3, 2), rep(2, 2), pad(2, 1), rep(1, 2), 1, true,
                    mode), new int[] {13, 11});
            add(c, "3d 3x3x3 stride 1,2,1 " + mode, conv(3, 4, 17, rep(3, 3), new int[] {1, 2, 1}, pad(3, 1),
                    rep(1, 3), 1, true, mode), new int[] {5, 7, 9});
            add(c, "depthwise 3x3 dilation 2 " + mode, conv(2, 5, 5, rep(3, 2), rep(1, 2), pad(2, 2), rep(2, 2), 5,
                    true, mode), new int[] {9, 40});
            add(c, "depthwise 1d k5 s2 " + mode, conv(1, 3, 3, rep(5, 1), rep(2, 1), pad(1, 3), rep(1, 1), 3, false,
                    mode), new int[] {71});
        }
        // stride-2 split lines copied by vectors: runs shorter than, equal to, and longer than one vector
        for (int width : new int[] {9, 16, 33, 75}) {
            add(c, "3x3 s2 width " + width, conv(2, 3, 5, rep(3, 2), rep(2, 2), pad(2, 1), rep(1, 2), 1, true, Z),
                    new int[] {4, width});
        }
        // both stride-2 residues of a line filled in one pass: runs below, at and around half a vector and one vector
        // at each size, equal (even widths) or one apart (odd widths), run starts shifted by the padding
        for (int width : new int[] {3, 5, 8, 14, 17, 28, 31}) {
            add(c, "3x3 s2 pad 1 paired width " + width, conv(2, 4, 9, rep(3, 2), rep(2, 2), pad(2, 1), rep(1, 2), 1,
                    true, Z), new int[] {3, width});
        }
        add(c, "3x3 s2 pad 2 paired width 21", conv(2, 3, 8, rep(3, 2), rep(2, 2), pad(2, 2), rep(1, 2), 1, false, Z),
                new int[] {5, 21});
        add(c, "2x2 s2 valid paired width 34", conv(2, 3, 8, rep(2, 2), rep(2, 2), pad(2, 0), rep(1, 2), 1, true, Z),
                new int[] {4, 34});
        for (PaddingMode mode : PaddingMode.values()) {
            add(c, "3x3 s2 paired width 19 " + mode, conv(2, 2, 3, rep(3, 2), rep(2, 2), pad(2, 1), rep(1, 2), 1,
                    false, mode), new int[] {4, 19});
        }
        add(c, "3x3 s2 width 40 reflect", conv(2, 2, 3, rep(3, 2), rep(2, 2), pad(2, 1), rep(1, 2), 1, false,
                PaddingMode.REFLECT), new int[] {3, 40});
        // depthwise 3x3 stride 1 pad 1 through the direct path (the engine gives them to Depthwise3x3): widths one to
        // two vectors at 128/256/512 bits (5..8, 9..16, 17..32), wider, odd and even heights, a single row; other
        // modes for contrast
        for (int[] in : new int[][] {{5, 7}, {1, 13}, {2, 17}, {7, 28}, {28, 31}, {4, 32}, {3, 33}, {6, 8}, {3, 40},
                {5, 49}, {2, 70}}) {
            add(c, "depthwise 3x3 pad 1 direct " + in[0] + "x" + in[1], conv(2, 4, 4, rep(3, 2), rep(1, 2), pad(2, 1),
                    rep(1, 2), 4, true, Z), in);
        }
        for (PaddingMode mode : PaddingMode.values()) {
            add(c, "depthwise 3x3 pad 1 20 wide " + mode, conv(2, 3, 3, rep(3, 2), rep(1, 2), pad(2, 1), rep(1, 2), 3,
                    false, mode), new int[] {5, 20});
        }
        add(c, "depthwise 3x3 SAME 11 wide", conv(2, 3, 3, rep(3, 2), rep(1, 2), Padding.Named.SAME, rep(1, 2), 3,
                true, Z), new int[] {4, 11});
        add(c, "3x3 rows longer than a chunk", conv(2, 5, 11, rep(3, 2), rep(1, 2), pad(2, 1), rep(1, 2), 1, true, Z),
                new int[] {3, 300});
        // 1-D splits are filled position band by position band: rows of several chunks, every padding mode's edges
        add(c, "1d k5 d2 rows longer than a chunk", conv(1, 3, 5, rep(5, 1), rep(1, 1), pad(1, 4), rep(2, 1), 1, true,
                Z), new int[] {700});
        for (PaddingMode mode : PaddingMode.values()) {
            add(c, "1d k3 s2 rows longer than a chunk " + mode, conv(1, 2, 3, rep(3, 1), rep(2, 1), pad(1, 1),
                    rep(1, 1), 1, false, mode), new int[] {601});
        }
        add(c, "37 output channels: two row-block groups", conv(2, 3, 37, rep(3, 2), rep(1, 2), pad(2, 1), rep(1, 2),
                1, true, PaddingMode.REFLECT), new int[] {6, 9});
        add(c, "1d k3 s3 d2 asymmetric", conv(1, 7, 8, rep(3, 1), rep(3, 1), explicit(new int[] {4}, new int[] {-1}),
                rep(2, 1), 1, true, Z), new int[] {67});
        add(c, "4d k2 groups 2 circular", conv(4, 4, 6, rep(2, 4), rep(1, 4), Padding.Named.SAME, rep(1, 4), 2, true,
                PaddingMode.CIRCULAR), new int[] {3, 2, 4, 5});
        add(c, "pointwise 13->10", conv(2, 13, 10, rep(1, 2), rep(1, 2), pad(2, 0), rep(1, 2), 1, true, Z),
                new int[] {9, 31});
        // a sample over 4 MB: still one chunk at a time per thread
        add(c, "pointwise 17->3 large sample", conv(2, 17, 3, rep(1, 2), rep(1, 2), pad(2, 0), rep(1, 2), 1, true, Z),
                new int[] {250, 250});
        add(c, "pointwise groups 3", conv(1, 6, 9, rep(1, 1), rep(1, 1), pad(1, 0), rep(1, 1), 3, false, Z),
                new int[] {37});
        add(c, "transpose 2x2x2 s2 pointwise phases", transpose(3, 5, 6, rep(2, 3), rep(2, 3), pad(3, 0), rep(0, 3),
                rep(1, 3), 1, true, Z), new int[] {3, 4, 5});
        add(c, "transpose 4x4 s2 groups 2", transpose(2, 6, 4, rep(4, 2), rep(2, 2), pad(2, 1), new int[] {1, 0},
                rep(1, 2), 2, true, Z), new int[] {7, 5});
        add(c, "transpose k2 s3 phases without taps", transpose(1, 3, 5, rep(2, 1), rep(3, 1), pad(1, 0), rep(2, 1),
                rep(1, 1), 1, true, Z), new int[] {11});
        add(c, "transpose k1 s2 tapless phase with more rows", transpose(3, 4, 3, new int[] {2, 1, 3},
                new int[] {1, 2, 1}, explicit(new int[] {2, 1, 2}, new int[] {0, 0, 1}), new int[] {0, 1, 0},
                new int[] {1, 1, 2}, 1, false, Z), new int[] {6, 4, 5});
        // stride-2 transposed phases computed in pairs and written interleaved: runs below, at and above half a vector
        // and a vector at each size, pointwise and with taps of different depths per phase (k3: 2 and 1 taps per
        // dim), output channels not a multiple of 8, groups, output padding, circular SAME
        for (int width : new int[] {3, 4, 9, 16, 21, 40}) {
            add(c, "transpose k2 s2 paired width " + width, transpose(2, 5, 11, rep(2, 2), rep(2, 2), pad(2, 0),
                    rep(0, 2), rep(1, 2), 1, true, Z), new int[] {3, width});
        }
        add(c, "transpose k3 s2 paired phases of unequal depth", transpose(2, 4, 6, rep(3, 2), rep(2, 2), pad(2, 1),
                rep(1, 2), rep(1, 2), 1, true, Z), new int[] {4, 13});
        add(c, "transpose 1d k4 s2 groups 2 paired", transpose(1, 6, 10, rep(4, 1), rep(2, 1), pad(1, 1), rep(0, 1),
                rep(1, 1), 2, false, Z), new int[] {37});
        add(c, "transpose 3d k2 s2 paired", transpose(3, 3, 9, rep(2, 3), rep(2, 3), pad(3, 1), rep(0, 3),
                rep(1, 3), 1, true, Z), new int[] {3, 4, 11});
        add(c, "transpose 3d k3 s2 paired circular SAME", transpose(3, 3, 9, rep(3, 3), rep(2, 3), Padding.Named.SAME,
                rep(0, 3), rep(1, 3), 1, true, PaddingMode.CIRCULAR), new int[] {3, 4, 11});
        add(c, "transpose circular SAME", transpose(2, 4, 3, rep(3, 2), rep(2, 2), Padding.Named.SAME, rep(0, 2),
                rep(1, 2), 1, false, PaddingMode.CIRCULAR), new int[] {6, 5});
        add(c, "depthwise transposed", transpose(2, 4, 4, rep(3, 2), rep(2, 2), pad(2, 1), rep(1, 2), rep(1, 2), 4,
                true, Z), new int[] {5, 6});
        add(c, "depthwise multiplier 2", conv(2, 3, 6, rep(3, 2), rep(1, 2), pad(2, 1), rep(1, 2), 3, true, Z),
                new int[] {6, 7});
        add(c, "depthwise 3d circular", conv(3, 2, 2, rep(3, 3), rep(1, 3), pad(3, 1), rep(1, 3), 2, true,
                PaddingMode.CIRCULAR), new int[] {4, 5, 6});
        add(c, "depthwise s2 cropped", conv(2, 3, 3, rep(3, 2), rep(2, 2), explicit(new int[] {-1, 2},
                new int[] {1, -2}), rep(1, 2), 3, true, Z), new int[] {10, 12});
        add(c, "empty output", conv(2, 3, 3, rep(5, 2), rep(1, 2), Padding.Named.VALID, rep(1, 2), 1, true, Z),
                new int[] {3, 8});
        return c;
    }

    private static void add(List<ConvCases.Case> cases, String label, io.convjob.spec.ConvLayerSpec spec, int[] in) {
        for (int batch : new int[] {1, 3}) {
            for (int threads : new int[] {1, 2}) cases.add(new ConvCases.Case(label, spec, in, batch, threads));
        }
        // two samples per thread: each thread splits and computes whole samples in its own buffer; with 3 threads,
        // a round of 3 whole samples, then 2 samples shared by all threads
        cases.add(new ConvCases.Case(label, spec, in, 4, 2));
        cases.add(new ConvCases.Case(label, spec, in, 5, 3));
    }

    @ParameterizedTest(name = "{0} bits")
    @MethodSource("io.convjob.fast.VectorSizes#upToPreferred")
    void directPathsMatchReference(int bits) {
        ConvEngine engine = directOnly(bits);
        for (ConvCases.Case c : cases()) {
            ConvGeometry g = Shapes.lower(c.spec(), c.inShape());
            assertInstanceOf(DirectConv.class, engine.prepare(g, new float[(int) c.spec().weightCount()], null),
                    c::toString);
            ConvCases.assertMatchesReference(engine, c);
        }
    }

    /**
     * The two-vector tiles as two 4-row halves (the shape used with 16 vector registers, -XX:UseAVX=2), at every vector
     * size: the whole suite (row blocks of fewer than 8 channels, scattered and paired tiles, 1-3 threads) matches.
     */
    @ParameterizedTest(name = "{0} bits")
    @MethodSource("io.convjob.fast.VectorSizes#upToPreferred")
    void tilesInHalvesMatchReference(int bits) {
        DirectKernel kernel = new InHalves(VectorEngine.directKernel(bits));
        ThreadLocal<Workspace> workspaces = ThreadLocal.withInitial(Workspace::new);
        ConvEngine engine = new ConvEngine() {
            @Override public String name() { return "direct-halves-" + bits; }

            @Override public PreparedConv prepare(ConvGeometry g, float[] weight, float[] bias) {
                ConvPlan plan = new ConvPlan(g, weight, bias, DirectKernel.ROWS);
                return new DirectConv(plan, new SplitInput(plan), weight, kernel, workspaces);
            }
        };
        for (ConvCases.Case c : cases()) ConvCases.assertMatchesReference(engine, c);
    }

    /**
     * Split buffers keep their padding zeros between calls of one layer and are re-zeroed for another: interleave a
     * padded layer (growing and shrinking its batch) with layers that write where it has zeros, on one thread.
     */
    @ParameterizedTest(name = "{0} bits")
    @MethodSource("io.convjob.fast.VectorSizes#upToPreferred")
    void reusedSplitBuffersKeepTheirZeros(int bits) {
        ConvEngine engine = directOnly(bits);
        ConvGeometry padded = Shapes.lower(conv(2, 3, 5, rep(3, 2), rep(1, 2), pad(2, 2), rep(1, 2), 1, true, Z),
                new int[] {7, 9});
        ConvGeometry pointwise = Shapes.lower(conv(2, 3, 4, rep(1, 2), rep(1, 2), pad(2, 0), rep(1, 2), 1, false, Z),
                new int[] {11, 11});
        ConvGeometry depthwise = Shapes.lower(conv(2, 3, 3, rep(3, 2), rep(1, 2), pad(2, 1), rep(1, 2), 3, true, Z),
                new int[] {7, 9});
        ConvGeometry depthwiseWide = Shapes.lower(conv(2, 3, 3, rep(3, 2), rep(1, 2), pad(2, 0), rep(1, 2), 3, true,
                Z), new int[] {9, 11});
        java.util.Random r = new java.util.Random(5);
        Layer a = new Layer(engine, padded, r);
        Layer b = new Layer(engine, pointwise, r);
        Layer d = new Layer(engine, depthwise, r);
        Layer e = new Layer(engine, depthwiseWide, r);
        for (int[] step : new int[][] {{0, 1}, {1, 3}, {0, 3}, {0, 1}, {1, 1}, {0, 2}, {2, 2}, {3, 2}, {2, 1}}) {
            Layer layer = new Layer[] {a, b, d, e}[step[0]];
            layer.check(step[1], r);
        }
    }

    /**
     * More padded layers than a thread keeps split buffers for, round robin: each keeps its zeros while it has a
     * buffer, and one taking over another layer's buffer re-zeroes it (the layouts differ: what one writes is
     * padding for another).
     */
    @ParameterizedTest(name = "{0} bits")
    @MethodSource("io.convjob.fast.VectorSizes#upToPreferred")
    void layersBeyondTheKeptSplitBuffersKeepTheirZeros(int bits) {
        ConvEngine engine = directOnly(bits);
        java.util.Random r = new java.util.Random(9);
        List<Layer> layers = new ArrayList<>();
        for (int i = 0; i < 11; i++) {
            layers.add(new Layer(engine, Shapes.lower(conv(2, 2, 3, rep(3, 2), rep(1 + i % 2, 2), pad(2, 1 + i % 3),
                    rep(1, 2), 1, true, Z), new int[] {5 + i, 13 - i / 2}), r));
        }
        for (int round = 0; round < 3; round++) {
            for (Layer layer : layers) layer.check(1 + round % 2, r);
        }
    }

    /**
     * {@link DirectConv} for every layer, as {@link VectorEngine} builds it, even for those the engine sends to another
     * path ({@link Depthwise3x3}): these tests are about DirectConv's own paths.
     */
    private static ConvEngine directOnly(int bits) {
        DirectKernel kernel = VectorEngine.directKernel(bits);
        ThreadLocal<Workspace> workspaces = ThreadLocal.withInitial(Workspace::new);
        return new ConvEngine() {
            @Override public String name() { return "direct-" + bits; }

            @Override public PreparedConv prepare(ConvGeometry g, float[] weight, float[] bias) {
                ConvPlan plan = new ConvPlan(g, weight, bias, DirectKernel.ROWS);
                return new DirectConv(plan, new SplitInput(plan), weight, kernel, workspaces);
            }
        };
    }

    /** One prepared layer, run repeatedly against the reference. */
    private static final class Layer {
        final ConvGeometry g;
        final float[] w;
        final float[] bias;
        final PreparedConv prepared;

        Layer(ConvEngine engine, ConvGeometry g, java.util.Random r) {
            this.g = g;
            this.w = ConvCases.randomArray(r, g.outChannels() * g.inPerGroup() * (int) g.kernelSize());
            this.bias = ConvCases.randomArray(r, g.outChannels());
            this.prepared = engine.prepare(g, w, bias);
            assertInstanceOf(DirectConv.class, prepared);
        }

        void check(int batch, java.util.Random r) {
            float[] x = ConvCases.randomArray(r, batch * g.inChannels() * (int) g.inSpatialSize());
            int outLen = batch * g.outChannels() * (int) g.outSpatialSize();
            float[] expected = new float[outLen];
            new io.convjob.reference.ReferenceConv().prepare(g, w, bias).run(x, expected, batch, 1);
            float[] actual = new float[outLen];
            prepared.run(x, actual, batch, 1);
            for (int i = 0; i < outLen; i++) {
                org.junit.jupiter.api.Assertions.assertEquals(expected[i], actual[i], 1e-4, g + " batch " + batch
                        + " y[" + i + "]");
            }
        }
    }

    /**
     * Items tile by tile (each position tile through all its row blocks) and row block by row block, whatever the
     * layer would choose: both orders write every output once. The cases include items of several tiles and row
     * blocks, a one-vector last tile, row blocks of fewer than 8 channels, scattered (flattened, strided) tiles.
     */
    @ParameterizedTest(name = "{0} bits")
    @MethodSource("io.convjob.fast.VectorSizes#upToPreferred")
    void bothItemOrdersMatchReference(int bits) {
        DirectKernel kernel = VectorEngine.directKernel(bits);
        ThreadLocal<Workspace> workspaces = ThreadLocal.withInitial(Workspace::new);
        for (boolean tilesOuter : new boolean[] {true, false}) {
            ConvEngine engine = new ConvEngine() {
                @Override public String name() { return "direct-" + bits + (tilesOuter ? "-tiles" : "-blocks"); }

                @Override public PreparedConv prepare(ConvGeometry g, float[] weight, float[] bias) {
                    ConvPlan plan = new ConvPlan(g, weight, bias, DirectKernel.ROWS);
                    return new DirectConv(plan, new SplitInput(plan), weight, kernel, workspaces, 1 << 21, 1 << 20,
                            tilesOuter);
                }
            };
            for (ConvCases.Case c : cases()) ConvCases.assertMatchesReference(engine, c);
            // 29 output channels (4 row blocks, the last of 5) over 150-wide rows: 5 tiles of two vectors at 128 bits
            ConvCases.assertMatchesReference(engine, new ConvCases.Case("3x3 29 channels wide rows", conv(2, 3, 29,
                    rep(3, 2), rep(1, 2), pad(2, 1), rep(1, 2), 1, true, Z), new int[] {3, 150}, 2, 1));
        }
    }

    /**
     * The order's choice: at 512 bits tiles outermost where a tile's B rows span over 1.5x the cache lines of a row
     * block's A panel (3x3 over 64 channels of 56-wide rows, flattened: 2x), row blocks outermost where they span
     * about as many (the dilated 1-D layer over 128 channels: 1.2x) and for pointwise chunks (B rows a fixed stride
     * apart, 4x); row blocks outermost with narrower vectors (a tile's row of B is one cache line).
     */
    @org.junit.jupiter.api.Test
    void tilesGoOutermostWhenTheirInputRowsOutweighTheWeights() {
        var c3x3 = conv(2, 64, 64, rep(3, 2), rep(1, 2), pad(2, 1), rep(1, 2), 1, true, Z);
        var c1x1 = conv(2, 256, 64, rep(1, 2), rep(1, 2), pad(2, 0), rep(1, 2), 1, true, Z);
        assertTrue(order(c3x3, new int[] {56, 56}, 512));
        assertFalse(order(c1x1, new int[] {56, 56}, 512));
        assertFalse(order(conv(1, 128, 128, rep(5, 1), rep(1, 1), pad(1, 4), rep(2, 1), 1, true, Z),
                new int[] {4096}, 512));
        assertFalse(order(c1x1, new int[] {56, 56}, 256));
        assertFalse(order(c3x3, new int[] {56, 56}, 128));
    }

    /** The order DirectConv picks for the layer's only phase. */
    private static boolean order(io.convjob.spec.ConvLayerSpec spec, int[] in, int bits) {
        float[] w = new float[(int) spec.weightCount()];
        ConvPlan plan = new ConvPlan(Shapes.lower(spec, in), w, null, DirectKernel.ROWS);
        return new DirectConv(plan, new SplitInput(plan), w, VectorEngine.directKernel(bits),
                ThreadLocal.withInitial(Workspace::new)).runsTilesOuter(0);
    }

    /**
     * Every whole-sample task computed by a thread other than its sample's owner ({@link DirectConv}'s owners yield
     * all of their tasks): tasks from the back, from a split another thread published (pointwise chunks copied by
     * the thread that computes them), on one to three threads, every case of the suite.
     */
    @ParameterizedTest(name = "{0} bits")
    @MethodSource("io.convjob.fast.VectorSizes#upToPreferred")
    void tasksTakenFromOtherThreadsSamplesMatchReference(int bits) {
        ConvEngine engine = yielding(bits, true);
        for (ConvCases.Case c : cases()) ConvCases.assertMatchesReference(engine, c);
    }

    /**
     * Whole samples at 2 and 3 threads, called many times: owners take their tasks from the front while threads
     * that ran out of samples take them from the back, in whatever interleaving the threads happen to run (1-D
     * splits filled band by band and published after the last band, 3-D, pointwise chunks, paired transposed
     * phases, groups, samples per thread from one to three).
     */
    @ParameterizedTest(name = "{0} bits")
    @MethodSource("io.convjob.fast.VectorSizes#upToPreferred")
    void ownersAndOtherThreadsShareSamplesRepeatedly(int bits) {
        ConvEngine engine = yielding(bits, false);
        List<ConvCases.Case> layers = List.of(
                new ConvCases.Case("1d k5 d2 banded", conv(1, 3, 10, rep(5, 1), rep(1, 1), pad(1, 4), rep(2, 1), 1,
                        true, Z), new int[] {900}, 2, 2),
                new ConvCases.Case("3d 3x3x3", conv(3, 5, 19, rep(3, 3), rep(1, 3), pad(3, 1), rep(1, 3), 1, true,
                        PaddingMode.REFLECT), new int[] {4, 6, 9}, 2, 2),
                new ConvCases.Case("pointwise", conv(2, 7, 11, rep(1, 2), rep(1, 2), pad(2, 0), rep(1, 2), 1, true,
                        Z), new int[] {17, 40}, 2, 2),
                new ConvCases.Case("transpose 2x2x2 s2 paired", transpose(3, 4, 9, rep(2, 3), rep(2, 3), pad(3, 0),
                        rep(0, 3), rep(1, 3), 1, true, Z), new int[] {3, 4, 10}, 2, 2),
                new ConvCases.Case("3x3 groups 2", conv(2, 6, 10, rep(3, 2), rep(1, 2), pad(2, 1), rep(1, 2), 2,
                        false, Z), new int[] {9, 37}, 2, 2));
        for (ConvCases.Case layer : layers) {
            for (int[] bt : new int[][] {{2, 2}, {4, 2}, {6, 2}, {3, 3}, {6, 3}, {7, 2}}) {
                ConvCases.Case c = new ConvCases.Case(layer.label(), layer.spec(), layer.inShape(), bt[0], bt[1]);
                for (int call = 0; call < 8; call++) ConvCases.assertMatchesReference(engine, c);
            }
        }
    }

    /**
     * One prepared layer called at once from several threads (as an executor's Spark tasks share a cached model), each
     * call on 2 threads of the shared pool: a helper that owned a sample of one call may go on to serve another call
     * of the same layer (its split buffer is per layer and thread) only once no other thread still reads it.
     */
    @org.junit.jupiter.api.Test
    void concurrentCallsOfOneLayerKeepTheirSplitsApart() throws Exception {
        int bits = VectorEngine.preferredBits();
        ConvEngine engine = yielding(bits, false);
        ConvGeometry g = Shapes.lower(conv(3, 6, 16, rep(3, 3), rep(1, 3), pad(3, 1), rep(1, 3), 1, true, Z),
                new int[] {6, 8, 20});
        java.util.Random r = new java.util.Random(3);
        float[] w = ConvCases.randomArray(r, g.outChannels() * g.inPerGroup() * (int) g.kernelSize());
        float[] bias = ConvCases.randomArray(r, g.outChannels());
        PreparedConv shared = engine.prepare(g, w, bias);
        int batch = 2;
        int callers = 3;
        float[][] x = new float[callers][];
        float[][] expected = new float[callers][];
        int outLen = batch * g.outChannels() * (int) g.outSpatialSize();
        for (int c = 0; c < callers; c++) {
            x[c] = ConvCases.randomArray(r, batch * g.inChannels() * (int) g.inSpatialSize());
            expected[c] = new float[outLen];
            new io.convjob.reference.ReferenceConv().prepare(g, w, bias).run(x[c], expected[c], batch, 1);
        }
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < callers; c++) {
            int caller = c;
            threads.add(new Thread(() -> {
                float[] y = new float[outLen];
                try {
                    for (int call = 0; call < 150 && failures.isEmpty(); call++) {
                        shared.run(x[caller], y, batch, 2);
                        for (int i = 0; i < outLen; i++) {
                            if (Math.abs(y[i] - expected[caller][i]) > 1e-4 * (1 + Math.abs(expected[caller][i]))) {
                                throw new AssertionError("caller " + caller + " call " + call + " y[" + i + "] = "
                                        + y[i] + ", reference " + expected[caller][i]);
                            }
                        }
                    }
                } catch (Throwable t) {
                    failures.add(t);
                }
            }));
        }
        for (Thread t : threads) t.start();
        for (Thread t : threads) t.join();
        assertTrue(failures.isEmpty(), () -> failures.get(0).toString());
    }

    /**
     * A task that fails on a helper thread while another thread waits for that task's sample: the call ends with the
     * failure instead of waiting forever (every task is taken from the sample's back, so helpers work on samples the
     * caller owns).
     */
    @org.junit.jupiter.api.Test
    void aFailedTakenTaskFailsTheCallInsteadOfHangingIt() {
        DirectKernel real = VectorEngine.directKernel(VectorEngine.preferredBits());
        DirectKernel failingOnHelpers = new FailingOnHelpers(real);
        ConvGeometry g = Shapes.lower(conv(2, 3, 8, rep(3, 2), rep(1, 2), pad(2, 1), rep(1, 2), 1, true, Z),
                new int[] {20, 40});
        float[] w = new float[g.outChannels() * g.inPerGroup() * (int) g.kernelSize()];
        ConvPlan plan = new ConvPlan(g, w, null, DirectKernel.ROWS);
        PreparedConv conv = new DirectConv(plan, new SplitInput(plan), w, failingOnHelpers,
                ThreadLocal.withInitial(Workspace::new), 1 << 21, 1 << 20, null, true);
        float[] x = new float[2 * g.inChannels() * (int) g.inSpatialSize()];
        float[] y = new float[2 * g.outChannels() * (int) g.outSpatialSize()];
        int failed = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(60), () -> {
            int failures = 0;
            for (int call = 0; call < 200 && failures < 3; call++) {
                try {
                    conv.run(x, y, 2, 2);
                } catch (IllegalStateException e) {
                    org.junit.jupiter.api.Assertions.assertEquals("planted", e.getMessage());
                    failures++;
                }
            }
            return failures;
        });
        assertTrue(failed > 0, "no call reached a helper thread in 200 calls");
    }

    /** A kernel whose tiles fail on the pool's helper threads. */
    private static final class FailingOnHelpers extends Delegating {
        FailingOnHelpers(DirectKernel real) {
            super(real);
        }

        private static void check() {
            if (Thread.currentThread().getName().startsWith("convjob-worker")) throw new IllegalStateException("planted");
        }

        @Override public void tile2(float[] a, int aOff, float[] b, int bOff, int[] kOff, int depth, float[] bias,
                                    int biasOff, float[] c, int cOff, int ldc, int validRows) {
            check();
            super.tile2(a, aOff, b, bOff, kOff, depth, bias, biasOff, c, cOff, ldc, validRows);
        }

        @Override public void tile1(float[] a, int aOff, float[] b, int bOff, int[] kOff, int depth, float[] bias,
                                    int biasOff, float[] c, int cOff, int ldc, int validRows) {
            check();
            super.tile1(a, aOff, b, bOff, kOff, depth, bias, biasOff, c, cOff, ldc, validRows);
        }
    }

    /** A kernel whose two-vector tiles always run in two 4-row halves, as with 16 vector registers. */
    private static final class InHalves extends Delegating {
        InHalves(DirectKernel real) {
            super(real);
        }

        @Override public void tile2(float[] a, int aOff, float[] b, int bOff, int[] kOff, int depth, float[] bias,
                                    int biasOff, float[] c, int cOff, int ldc, int validRows) {
            real.tile2Halves(a, aOff, b, bOff, kOff, depth, bias, biasOff, c, cOff, ldc, validRows);
        }
    }

    /** Every call to another kernel, for test kernels that change one or two. */
    private static class Delegating implements DirectKernel {
        final DirectKernel real;

        Delegating(DirectKernel real) {
            this.real = real;
        }

        @Override public int lanes() { return real.lanes(); }

        @Override public void tile2(float[] a, int aOff, float[] b, int bOff, int[] kOff, int depth, float[] bias,
                                    int biasOff, float[] c, int cOff, int ldc, int validRows) {
            real.tile2(a, aOff, b, bOff, kOff, depth, bias, biasOff, c, cOff, ldc, validRows);
        }

        @Override public void tile2Halves(float[] a, int aOff, float[] b, int bOff, int[] kOff, int depth,
                                          float[] bias, int biasOff, float[] c, int cOff, int ldc, int validRows) {
            real.tile2Halves(a, aOff, b, bOff, kOff, depth, bias, biasOff, c, cOff, ldc, validRows);
        }

        @Override public void tile1(float[] a, int aOff, float[] b, int bOff, int[] kOff, int depth, float[] bias,
                                    int biasOff, float[] c, int cOff, int ldc, int validRows) {
            real.tile1(a, aOff, b, bOff, kOff, depth, bias, biasOff, c, cOff, ldc, validRows);
        }

        @Override public void depthwise(float[] in, int inOff, int[] tapOff, int taps, float[] w, int wOff, float bias,
                                        float[] out, int outOff, int count) {
            real.depthwise(in, inOff, tapOff, taps, w, wOff, bias, out, outOff, count);
        }

        @Override public void depthwiseRows(float[] in, int inOff, int inPitch, int[] tapOff, int taps, float[] w,
                                            int wOff, float bias, float[] out, int outOff, int outPitch, int rowLength,
                                            int rows) {
            real.depthwiseRows(in, inOff, inPitch, tapOff, taps, w, wOff, bias, out, outOff, outPitch, rowLength, rows);
        }

        @Override public void copyEven(float[] src, int srcOff, float[] dst, int dstOff, int len) {
            real.copyEven(src, srcOff, dst, dstOff, len);
        }

        @Override public void splitEvenOdd(float[] src, int srcOff, float[] dst, int evenOff, int evenLen, int oddOff,
                                           int oddLen) {
            real.splitEvenOdd(src, srcOff, dst, evenOff, evenLen, oddOff, oddLen);
        }

        @Override public void interleave(float[] even, int evenOff, float[] odd, int oddOff, float[] dst, int dstOff,
                                         int len) {
            real.interleave(even, evenOff, odd, oddOff, dst, dstOff, len);
        }

        @Override public void copy(float[] src, int srcOff, float[] dst, int dstOff, int len) {
            real.copy(src, srcOff, dst, dstOff, len);
        }
    }

    private static ConvEngine yielding(int bits, boolean ownersYield) {
        DirectKernel kernel = VectorEngine.directKernel(bits);
        ThreadLocal<Workspace> workspaces = ThreadLocal.withInitial(Workspace::new);
        return new ConvEngine() {
            @Override public String name() { return "direct-" + bits + (ownersYield ? "-owners-yield" : ""); }

            @Override public PreparedConv prepare(ConvGeometry g, float[] weight, float[] bias) {
                ConvPlan plan = new ConvPlan(g, weight, bias, DirectKernel.ROWS);
                return new DirectConv(plan, new SplitInput(plan), weight, kernel, workspaces, 1 << 21, 1 << 20, null,
                        ownersYield);
            }
        };
    }

    /** Every sample through the shared split, one per round: the split buffer is rebuilt between samples. */
    @ParameterizedTest(name = "{0} bits")
    @MethodSource("io.convjob.fast.VectorSizes#upToPreferred")
    void oneSamplePerSplitRoundMatchesReference(int bits) {
        DirectKernel kernel = VectorEngine.directKernel(bits);
        ThreadLocal<Workspace> workspaces = ThreadLocal.withInitial(Workspace::new);
        ConvEngine engine = new ConvEngine() {
            @Override public String name() { return "direct-one-sample-" + bits; }

            @Override public PreparedConv prepare(ConvGeometry g, float[] weight, float[] bias) {
                ConvPlan plan = new ConvPlan(g, weight, bias, DirectKernel.ROWS);
                return new DirectConv(plan, new SplitInput(plan), weight, kernel, workspaces, 1, 0);
            }
        };
        for (ConvCases.Case c : cases()) {
            if (c.batch() > 1) ConvCases.assertMatchesReference(engine, c);
        }
    }
}
