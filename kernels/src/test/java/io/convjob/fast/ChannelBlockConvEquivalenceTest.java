package io.convjob.fast;

import io.convjob.bench.BenchConfig;
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
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/**
 * {@link ChannelBlockConv} (vectors along output channels) against the reference on every geometry it can take,
 * forced whether or not the engine would pick it: strides, dilation, crops, every padding mode, groups, 1-D to 3-D,
 * every tile shape (4 x 6, 2 x 12, 2 x 6 vectors of channels x positions), last channel blocks part full, outputs
 * shorter than one tile and not a multiple of it, input channels filled in whole groups and one by one, runs of depth
 * rows split by depth blocks; batches and thread counts that take the whole-sample and the shared-sample rounds. At
 * every vector size up to this CPU's.
 */
class ChannelBlockConvEquivalenceTest {
    private static final PaddingMode Z = PaddingMode.ZEROS;

    static List<ConvCases.Case> cases() {
        List<ConvCases.Case> c = new ArrayList<>();
        for (PaddingMode mode : PaddingMode.values()) {
            // 120 channels: 4-vector tiles at every size, the last block part full
            add(c, "3x3 s2 120 channels " + mode, conv(2, 5, 120, rep(3, 2), rep(2, 2), pad(2, 1), rep(1, 2), 1, true,
                    mode), new int[] {13, 11});
            // 19 input channels: two whole groups of the channel-innermost fill and three single channels, every mode's
            // edge points
            add(c, "3x3 s2 19 input channels " + mode, conv(2, 19, 40, rep(3, 2), rep(2, 2), pad(2, 1), rep(1, 2), 1,
                    true, mode), new int[] {9, 10});
            add(c, "3d 3x3x3 stride 1,2,1 " + mode, conv(3, 3, 33, rep(3, 3), new int[] {1, 2, 1}, pad(3, 1),
                    rep(1, 3), 1, true, mode), new int[] {4, 7, 9});
        }
        // 70 channels: 2-vector tiles at 512 bits (fewer padded channels), 4-vector ones below
        add(c, "3x3 dilation 2 70 channels", conv(2, 4, 70, rep(3, 2), rep(1, 2), pad(2, 2), rep(2, 2), 1, false,
                Z), new int[] {9, 12});
        add(c, "3x3 s2 groups 2", conv(2, 6, 72, rep(3, 2), rep(2, 2), pad(2, 1), rep(1, 2), 2, true,
                PaddingMode.REFLECT), new int[] {10, 9});
        add(c, "1d k5 s3 d2 asymmetric crop", conv(1, 7, 33, rep(5, 1), rep(3, 1), explicit(new int[] {4},
                new int[] {-1}), rep(2, 1), 1, true, Z), new int[] {67});
        add(c, "7x7 s2 p3 stem", conv(2, 3, 64, rep(7, 2), rep(2, 2), pad(2, 3), rep(1, 2), 1, true, Z),
                new int[] {19, 23});
        add(c, "1x1 s2", conv(2, 9, 50, rep(1, 2), rep(2, 2), pad(2, 0), rep(1, 2), 1, true, Z), new int[] {10, 11});
        add(c, "3x3 s2 four outputs", conv(2, 4, 40, rep(3, 2), rep(2, 2), pad(2, 1), rep(1, 2), 1, true, Z),
                new int[] {3, 3});
        add(c, "3x3 s2 cropped", conv(2, 3, 36, rep(3, 2), rep(2, 2), explicit(new int[] {-1, 2},
                new int[] {1, -2}), rep(1, 2), 1, true, Z), new int[] {10, 12});
        add(c, "3x3 SAME circular 100 outputs", conv(2, 2, 48, rep(3, 2), rep(1, 2), Padding.Named.SAME, rep(1, 2),
                1, true, PaddingMode.CIRCULAR), new int[] {10, 10});
        return c;
    }

    private static void add(List<ConvCases.Case> cases, String label, io.convjob.spec.ConvLayerSpec spec, int[] in) {
        cases.add(new ConvCases.Case(label, spec, in, 1, 1));
        cases.add(new ConvCases.Case(label, spec, in, 2, 2));
        // one round of whole samples per thread, then the last sample shared by both threads
        cases.add(new ConvCases.Case(label, spec, in, 3, 2));
        cases.add(new ConvCases.Case(label, spec, in, 4, 3));
    }

    @ParameterizedTest(name = "{0} bits")
    @MethodSource("io.convjob.fast.VectorSizes#upToPreferred")
    void channelBlockPathMatchesReference(int bits) {
        ChannelBlockKernel kernel = VectorEngine.channelBlockKernel(bits);
        ThreadLocal<Workspace> workspaces = ThreadLocal.withInitial(Workspace::new);
        ConvEngine engine = new ConvEngine() {
            @Override public String name() { return "channel-block-" + bits; }

            @Override public PreparedConv prepare(ConvGeometry g, float[] weight, float[] bias) {
                return new ChannelBlockConv(g, weight, bias, kernel, workspaces);
            }
        };
        for (ConvCases.Case c : cases()) ConvCases.assertMatchesReference(engine, c);
    }

    /**
     * Each tile shape (4 x 6, 2 x 12, and 2 x 6 for CPUs with 16 vector registers) on every case, whichever the
     * layer's channel count and this CPU would pick, summing K whole and in blocks of 7 rows (not a multiple of any
     * layer's taps: blocks end inside a channel).
     */
    @ParameterizedTest(name = "{0} bits")
    @MethodSource("io.convjob.fast.VectorSizes#upToPreferred")
    void everyTileShapeAndDepthBlocksMatchReference(int bits) {
        ChannelBlockKernel kernel = VectorEngine.channelBlockKernel(bits);
        ThreadLocal<Workspace> workspaces = ThreadLocal.withInitial(Workspace::new);
        for (int[] shape : new int[][] {{4, 6}, {2, 12}, {2, 6}}) {
            for (int depthBlock : new int[] {1 << 20, 7}) {
                ConvEngine engine = new ConvEngine() {
                    @Override public String name() {
                        return "channel-block-" + bits + "-" + shape[0] + "x" + shape[1] + "-depth-block-" + depthBlock;
                    }

                    @Override public PreparedConv prepare(ConvGeometry g, float[] weight, float[] bias) {
                        return new ChannelBlockConv(g, weight, bias, kernel, workspaces, shape[0], shape[1],
                                depthBlock);
                    }
                };
                for (ConvCases.Case c : cases()) {
                    if (c.batch() == 3) ConvCases.assertMatchesReference(engine, c);
                }
            }
        }
    }

    /**
     * The engine takes this path for short strided rows that the strided-row path cannot take: 13-wide output rows
     * (not a whole vector, shorter than DirectConv's two-vector tile at 256 and 512 bits and than six vectors at 128
     * or with 16 vector registers), the stride-2 3x3 of the standard suite with 16 vector registers (elsewhere
     * {@link StridedRowConv}'s), and 22-wide rows except at 256 bits with 32 registers (there 22 is more than two
     * vectors); it leaves 16-wide ones (whole vectors) to DirectConv.
     */
    @ParameterizedTest(name = "{0} bits")
    @MethodSource("io.convjob.fast.VectorSizes#upToPreferred")
    void engineChoosesItForShortStridedRows(int bits) {
        VectorEngine engine = new VectorEngine(bits);
        ConvGeometry thirteen = Shapes.lower(conv(2, 128, 128, rep(3, 2), rep(2, 2), pad(2, 1), rep(1, 2), 1, true,
                Z), new int[] {26, 26});
        assertInstanceOf(ChannelBlockConv.class, engine.prepare(thirteen, new float[128 * 128 * 9], null));
        BenchConfig config = BenchConfig.standard().stream().filter(b -> b.name().equals("c2d_3x3s2_128_28"))
                .findFirst().orElseThrow();
        ConvGeometry g = config.geometry();
        PreparedConv prepared = engine.prepare(g, new float[g.outChannels() * g.inPerGroup() * (int) g.kernelSize()],
                null);
        Class<? extends PreparedConv> benchPath = ChannelBlockConv.SIXTEEN_VECTOR_REGISTERS ? ChannelBlockConv.class
                : StridedRowConv.class;
        assertInstanceOf(benchPath, prepared);
        ConvGeometry wide = Shapes.lower(conv(2, 64, 64, rep(3, 2), rep(2, 2), pad(2, 1), rep(1, 2), 1, true, Z),
                new int[] {44, 44});
        // with 16 vector registers (AVX2) DirectConv's tiles spill, and this path takes rows up to six vectors
        boolean twoVectorLimit = bits == 256 && !ChannelBlockConv.SIXTEEN_VECTOR_REGISTERS;
        Class<? extends PreparedConv> expected = twoVectorLimit ? DirectConv.class : ChannelBlockConv.class;
        assertInstanceOf(expected, engine.prepare(wide, new float[64 * 64 * 9], null));
        // 16-wide strided rows are whole vectors for DirectConv at every size: it keeps them
        ConvGeometry wholeVectors = Shapes.lower(conv(2, 64, 64, rep(3, 2), rep(2, 2), pad(2, 1), rep(1, 2), 1, true,
                Z), new int[] {32, 32});
        assertInstanceOf(DirectConv.class, engine.prepare(wholeVectors, new float[64 * 64 * 9], null));
    }
}
