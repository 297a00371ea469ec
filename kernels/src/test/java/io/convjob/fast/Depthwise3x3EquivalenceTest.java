package io.convjob.fast;

import io.convjob.engine.PreparedConv;
import io.convjob.reference.ReferenceConv;
import io.convjob.shape.ConvGeometry;
import io.convjob.shape.Shapes;
import io.convjob.spec.ConvLayerSpec;
import io.convjob.spec.Padding;
import io.convjob.spec.PaddingMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static io.convjob.fast.ConvCases.conv;
import static io.convjob.fast.ConvCases.explicit;
import static io.convjob.fast.ConvCases.pad;
import static io.convjob.fast.ConvCases.rep;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Depthwise3x3} against the reference at every vector size up to this CPU's: widths from just over one vector
 * to several at 128/256/512 bits (one strip, overlapping strips, a duplicated last vector), heights 1 to 28, with and
 * without bias, channel multipliers, batches and thread counts that put the first and last plane of x (read through
 * a padded copy) on different threads; infinities at the row ends (a lane reading across a row end would turn them into NaN or spread
 * them); and the layers it must leave to other paths.
 */
class Depthwise3x3EquivalenceTest {
    private static final PaddingMode Z = PaddingMode.ZEROS;

    static List<ConvCases.Case> cases() {
        List<ConvCases.Case> c = new ArrayList<>();
        int[][] shapes = {{1, 5}, {2, 7}, {3, 9}, {5, 12}, {4, 15}, {7, 17}, {1, 20}, {6, 24}, {28, 28}, {3, 31},
                {2, 32}, {5, 33}, {4, 40}, {3, 47}, {2, 49}, {9, 64}, {2, 70}, {14, 56}};
        for (int[] in : shapes) {
            for (boolean bias : new boolean[] {true, false}) {
                ConvLayerSpec spec = conv(2, 3, 3, rep(3, 2), rep(1, 2), pad(2, 1), rep(1, 2), 3, bias, Z);
                String label = "depthwise 3x3 pad 1 " + in[0] + "x" + in[1] + (bias ? " bias" : "");
                c.add(new ConvCases.Case(label, spec, in, 1, 1));
                c.add(new ConvCases.Case(label, spec, in, 3, 2));
                c.add(new ConvCases.Case(label, spec, in, 5, 3));
            }
        }
        // channel multipliers 2 and 3 (out = k * in, groups = in): output channel c reads input channel c / k
        for (int[] in : new int[][] {{4, 17}, {28, 28}, {3, 40}}) {
            c.add(new ConvCases.Case("depthwise 3x3 pad 1 multiplier 2 " + in[0] + "x" + in[1], conv(2, 3, 6, rep(3, 2),
                    rep(1, 2), pad(2, 1), rep(1, 2), 3, true, Z), in, 3, 2));
            c.add(new ConvCases.Case("depthwise 3x3 pad 1 multiplier 3 " + in[0] + "x" + in[1], conv(2, 2, 6, rep(3, 2),
                    rep(1, 2), pad(2, 1), rep(1, 2), 2, false, Z), in, 2, 1));
        }
        // SAME on a 3x3 kernel is padding 1 either side: the same path
        c.add(new ConvCases.Case("depthwise 3x3 SAME 29 wide", conv(2, 16, 16, rep(3, 2), rep(1, 2), Padding.Named.SAME,
                rep(1, 2), 16, true, Z), new int[] {6, 29}, 2, 2));
        return c;
    }

    @ParameterizedTest(name = "{0} bits")
    @MethodSource("io.convjob.fast.VectorSizes#upToPreferred")
    void matchesReference(int bits) {
        VectorEngine engine = new VectorEngine(bits);
        int lanes = bits / 32;
        int taken = 0;
        for (ConvCases.Case c : cases()) {
            ConvGeometry g = Shapes.lower(c.spec(), c.inShape());
            PreparedConv prepared = engine.prepare(g, new float[(int) c.spec().weightCount()], null);
            boolean wide = c.inShape()[1] > lanes;
            assertEquals(wide, prepared instanceof Depthwise3x3, c::toString);
            if (wide) taken++;
            ConvCases.assertMatchesReference(engine, c);
        }
        assertTrue(taken >= cases().size() / 2, "most cases take the path: " + taken);
    }

    /** Infinities in the first and last column of every row: each may only reach its own row's neighbours. */
    @ParameterizedTest(name = "{0} bits")
    @MethodSource("io.convjob.fast.VectorSizes#upToPreferred")
    void infinitiesAtRowEndsStayInTheirColumns(int bits) {
        VectorEngine engine = new VectorEngine(bits);
        for (int width : new int[] {bits / 32 + 1, 28, 2 * bits / 32 + 3}) {
            ConvGeometry g = Shapes.lower(conv(2, 2, 2, rep(3, 2), rep(1, 2), pad(2, 1), rep(1, 2), 2, true, Z),
                    new int[] {5, width});
            Random r = new Random(width);
            float[] w = ConvCases.randomArray(r, 18);
            float[] bias = ConvCases.randomArray(r, 2);
            int batch = 2;
            float[] x = ConvCases.randomArray(r, batch * 2 * 5 * width);
            for (int row = 0; row < batch * 2 * 5; row++) {
                x[row * width] = row % 2 == 0 ? Float.POSITIVE_INFINITY : Float.NEGATIVE_INFINITY;
                x[row * width + width - 1] = row % 3 == 0 ? Float.NEGATIVE_INFINITY : Float.POSITIVE_INFINITY;
            }
            float[] expected = new float[x.length];
            new ReferenceConv().prepare(g, w, bias).run(x, expected, batch, 1);
            float[] actual = new float[x.length];
            PreparedConv prepared = engine.prepare(g, w, bias);
            assertInstanceOf(Depthwise3x3.class, prepared);
            prepared.run(x, actual, batch, 2);
            int finite = 0;
            for (int i = 0; i < x.length; i++) {
                if (Float.isFinite(expected[i])) {
                    finite++;
                    assertEquals(expected[i], actual[i], 1e-5, "width " + width + " y[" + i + "]");
                } else {
                    assertEquals(expected[i], actual[i], "width " + width + " y[" + i + "] (non-finite)");
                }
            }
            // columns 2 .. width - 3 never see an end column
            assertTrue(finite >= batch * 2 * 5 * (width - 4), "finite outputs: " + finite);
        }
    }

    /** Layers that differ in one respect go elsewhere (and still match: VectorEngineEquivalenceTest). */
    @ParameterizedTest(name = "{0} bits")
    @MethodSource("io.convjob.fast.VectorSizes#upToPreferred")
    void otherLayersAreNotTaken(int bits) {
        int lanes = bits / 32;
        int[] in = {6, 3 * lanes};
        List<ConvLayerSpec> others = new ArrayList<>();
        others.add(conv(2, 4, 4, rep(3, 2), rep(2, 2), pad(2, 1), rep(1, 2), 4, true, Z));
        others.add(conv(2, 4, 4, rep(3, 2), rep(1, 2), pad(2, 2), rep(2, 2), 4, true, Z));
        others.add(conv(2, 4, 4, rep(3, 2), rep(1, 2), pad(2, 2), rep(1, 2), 4, true, Z));
        others.add(conv(2, 4, 4, rep(3, 2), rep(1, 2), explicit(new int[] {1, 0}, new int[] {1, 2}), rep(1, 2), 4,
                true, Z));
        others.add(conv(2, 4, 4, rep(3, 2), rep(1, 2), pad(2, 1), rep(1, 2), 2, true, Z));
        others.add(conv(2, 4, 4, new int[] {3, 5}, rep(1, 2), pad(2, 1), rep(1, 2), 4, true, Z));
        others.add(conv(3, 4, 4, rep(3, 3), rep(1, 3), pad(3, 1), rep(1, 3), 4, true, Z));
        for (PaddingMode mode : new PaddingMode[] {PaddingMode.REFLECT, PaddingMode.REPLICATE, PaddingMode.CIRCULAR}) {
            others.add(conv(2, 4, 4, rep(3, 2), rep(1, 2), pad(2, 1), rep(1, 2), 4, true, mode));
        }
        VectorEngine engine = new VectorEngine(bits);
        for (ConvLayerSpec spec : others) {
            int[] shape = spec.numSpatialDims() == 3 ? new int[] {3, 4, 3 * lanes} : in;
            ConvGeometry g = Shapes.lower(spec, shape);
            assertFalse(Depthwise3x3.supports(g, lanes), spec::toString);
            assertFalse(engine.prepare(g, new float[(int) spec.weightCount()], null) instanceof Depthwise3x3,
                    spec::toString);
            ConvCases.assertMatchesReference(engine, new ConvCases.Case("other " + spec, spec, shape, 2, 2));
        }
        // one vector wide or less: the path needs a second, overlapping vector per row
        ConvGeometry narrow = Shapes.lower(conv(2, 4, 4, rep(3, 2), rep(1, 2), pad(2, 1), rep(1, 2), 4, true, Z),
                new int[] {4, lanes});
        assertFalse(Depthwise3x3.supports(narrow, lanes));
        assertTrue(Depthwise3x3.supports(Shapes.lower(conv(2, 4, 4, rep(3, 2), rep(1, 2), pad(2, 1), rep(1, 2), 4,
                true, Z), new int[] {4, lanes + 1}), lanes));
    }
}
