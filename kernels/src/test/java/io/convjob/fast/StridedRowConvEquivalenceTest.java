package io.convjob.fast;

import io.convjob.bench.BenchConfig;
import io.convjob.engine.ConvEngine;
import io.convjob.engine.PreparedConv;
import io.convjob.shape.ConvGeometry;
import io.convjob.shape.Shapes;
import io.convjob.spec.ConvLayerSpec;
import io.convjob.spec.PaddingMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;

import static io.convjob.fast.ConvCases.conv;
import static io.convjob.fast.ConvCases.explicit;
import static io.convjob.fast.ConvCases.pad;
import static io.convjob.fast.ConvCases.rep;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link StridedRowConv} (3-tap stride-2 rows read in place, vectors along output channels) against the reference
 * on every geometry it takes, forced whether or not the engine would pick it: zero padding left of the row (the
 * first tile skips that column) or none, crops and unread columns right of the row, every padding mode and stride
 * along the other dims (taps that read padding rows skipped), 1-D to 3-D, rows of one and several tiles, the last
 * channel block part full, depth blocks that do not divide the channels, items of one or several rows; batches and
 * thread counts that take the whole-sample and the shared-sample rounds. At every vector size up to this CPU's.
 */
class StridedRowConvEquivalenceTest {
    private static final PaddingMode Z = PaddingMode.ZEROS;

    static List<ConvCases.Case> cases() {
        List<ConvCases.Case> c = new ArrayList<>();
        // 40 output channels: the last block part full at every size; 14-wide rows: two tiles, the first one's
        // left column a zero; 13 rows high: the bottom padding row skipped too
        add(c, "3x3 s2 p1 40 channels", conv(2, 20, 40, rep(3, 2), rep(2, 2), pad(2, 1), rep(1, 2), 1, true, Z),
                new int[] {25, 28});
        for (PaddingMode mode : PaddingMode.values()) {
            // padding along the rows' dim only: any mode, the row reads its input in place (shift 0, last column
            // unread)
            add(c, "3x3 s2 pad rows only " + mode, conv(2, 17, 36, rep(3, 2), rep(2, 2), explicit(new int[] {2, 0},
                    new int[] {1, 0}), rep(1, 2), 1, true, mode), new int[] {6, 16});
        }
        add(c, "3x3 stride 3,2 dilation 2,1 no bias", conv(2, 16, 33, rep(3, 2), new int[] {3, 2}, pad(2, 1),
                new int[] {2, 1}, 1, false, Z), new int[] {11, 14});
        add(c, "1x3 s2 right crop", conv(2, 18, 64, new int[] {1, 3}, rep(2, 2), explicit(new int[] {0, 1},
                new int[] {0, -3}), rep(1, 2), 1, true, Z), new int[] {3, 31});
        add(c, "1d k3 s2 p1", conv(1, 16, 48, rep(3, 1), rep(2, 1), pad(1, 1), rep(1, 1), 1, true, Z),
                new int[] {42});
        add(c, "3d 3x3x3 s1,2,2 p1 reflect", conv(3, 16, 32, rep(3, 3), new int[] {1, 2, 2}, explicit(
                new int[] {1, 1, 0}, new int[] {1, 1, 0}), rep(1, 3), 1, true, PaddingMode.REFLECT),
                new int[] {3, 5, 15});
        return c;
    }

    private static void add(List<ConvCases.Case> cases, String label, ConvLayerSpec spec, int[] in) {
        cases.add(new ConvCases.Case(label, spec, in, 1, 1));
        cases.add(new ConvCases.Case(label, spec, in, 2, 2));
        // one round of whole samples per thread, then the last sample shared by both threads
        cases.add(new ConvCases.Case(label, spec, in, 3, 2));
    }

    private static ConvEngine engine(int bits, int depthChannels, int rowsPerItem) {
        StridedRowKernel kernel = VectorEngine.stridedRowKernel(bits);
        ThreadLocal<Workspace> workspaces = ThreadLocal.withInitial(Workspace::new);
        return new ConvEngine() {
            @Override public String name() {
                return "strided-row-" + bits + "-depth-" + depthChannels + "-rows-" + rowsPerItem;
            }

            @Override public PreparedConv prepare(ConvGeometry g, float[] weight, float[] bias) {
                return new StridedRowConv(g, weight, bias, kernel, workspaces, depthChannels, rowsPerItem);
            }
        };
    }

    @ParameterizedTest(name = "{0} bits")
    @MethodSource("io.convjob.fast.VectorSizes#upToPreferred")
    void stridedRowPathMatchesReference(int bits) {
        for (ConvCases.Case c : cases()) {
            assertTrue(StridedRowConv.supports(Shapes.lower(c.spec(), c.inShape()), bits / 32), c.label());
            ConvCases.assertMatchesReference(engine(bits, 0, 0), c);
        }
    }

    /** Depth blocks of 7 channels (the last one short) and items of 1 and 4 rows (the last one short). */
    @ParameterizedTest(name = "{0} bits")
    @MethodSource("io.convjob.fast.VectorSizes#upToPreferred")
    void depthBlocksAndItemSizesMatchReference(int bits) {
        for (int[] split : new int[][] {{7, 1}, {7, 4}, {1, 0}}) {
            for (ConvCases.Case c : cases()) {
                if (c.batch() == 3) ConvCases.assertMatchesReference(engine(bits, split[0], split[1]), c);
            }
        }
    }

    /** What it cannot read in place, or sums badly, is left to the other paths. */
    @Test
    void refusesLayersItCannotReadInPlace() {
        int lanes = 4;
        // rows not a multiple of 7 (13 wide)
        assertFalse(StridedRowConv.supports(lower(conv(2, 16, 32, rep(3, 2), rep(2, 2), pad(2, 1), rep(1, 2), 1,
                true, Z), 26, 26), lanes));
        // a padded column right of the row (29 wide input: the last tile reads column 29)
        assertFalse(StridedRowConv.supports(lower(conv(2, 16, 32, rep(3, 2), rep(2, 2), pad(2, 1), rep(1, 2), 1,
                true, Z), 14, 27), lanes));
        // reflect padding along the row: its first column is not a zero
        assertFalse(StridedRowConv.supports(lower(conv(2, 16, 32, rep(3, 2), rep(2, 2), pad(2, 1), rep(1, 2), 1,
                true, PaddingMode.REFLECT), 28, 28), lanes));
        // two zero columns left of the row
        assertFalse(StridedRowConv.supports(lower(conv(2, 16, 32, rep(3, 2), rep(2, 2), explicit(new int[] {1, 2},
                new int[] {1, 0}), rep(1, 2), 1, true, Z), 28, 28), lanes));
        // stride 1, 5 taps, dilation 2 along the row; groups; too few output channels
        assertFalse(StridedRowConv.supports(lower(conv(2, 16, 32, rep(3, 2), rep(1, 2), pad(2, 1), rep(1, 2), 1,
                true, Z), 14, 14), lanes));
        assertFalse(StridedRowConv.supports(lower(conv(2, 16, 32, rep(5, 2), rep(2, 2), pad(2, 2), rep(1, 2), 1,
                true, Z), 28, 28), lanes));
        assertFalse(StridedRowConv.supports(lower(conv(2, 16, 32, rep(3, 2), rep(2, 2), pad(2, 2), rep(2, 2), 1,
                true, Z), 28, 28), lanes));
        assertFalse(StridedRowConv.supports(lower(conv(2, 16, 32, rep(3, 2), rep(2, 2), pad(2, 1), rep(1, 2), 2,
                true, Z), 28, 28), lanes));
        assertFalse(StridedRowConv.supports(lower(conv(2, 16, 4, rep(3, 2), rep(2, 2), pad(2, 1), rep(1, 2), 1,
                true, Z), 28, 28), lanes));
        // it can, but 8 input channels sum too few rows per call: the engine leaves it
        ConvGeometry few = lower(conv(2, 8, 32, rep(3, 2), rep(2, 2), pad(2, 1), rep(1, 2), 1, true, Z), 28, 28);
        assertTrue(StridedRowConv.supports(few, lanes));
        assertFalse(StridedRowConv.suits(few, lanes));
    }

    /**
     * The engine takes this path for the stride-2 3x3 of the standard suite at every vector size, except with 16
     * vector registers (AVX2: the tile would spill), where the channel-block path keeps it.
     */
    @ParameterizedTest(name = "{0} bits")
    @MethodSource("io.convjob.fast.VectorSizes#upToPreferred")
    void engineChoosesItForTheStrideTwoBenchLayer(int bits) {
        BenchConfig config = BenchConfig.standard().stream().filter(b -> b.name().equals("c2d_3x3s2_128_28"))
                .findFirst().orElseThrow();
        ConvGeometry g = config.geometry();
        PreparedConv prepared = new VectorEngine(bits).prepare(g,
                new float[g.outChannels() * g.inPerGroup() * (int) g.kernelSize()], null);
        Class<? extends PreparedConv> expected = ChannelBlockConv.SIXTEEN_VECTOR_REGISTERS ? ChannelBlockConv.class
                : StridedRowConv.class;
        assertInstanceOf(expected, prepared);
    }

    private static ConvGeometry lower(ConvLayerSpec spec, int h, int w) {
        return Shapes.lower(spec, new int[] {h, w});
    }
}
