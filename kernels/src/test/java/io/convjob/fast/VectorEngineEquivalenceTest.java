package io.convjob.fast;

import io.convjob.engine.ConvEngine;
import io.convjob.engine.PreparedConv;
import io.convjob.shape.ConvGeometry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@link VectorEngine} at every vector size against the reference, on named and random layers. */
class VectorEngineEquivalenceTest {

    @ParameterizedTest(name = "{0} bits")
    @MethodSource("io.convjob.fast.VectorSizes#upToPreferred")
    void namedCasesMatchReference(int bits) {
        VectorEngine engine = new VectorEngine(bits);
        for (ConvCases.Case c : ConvCases.named()) ConvCases.assertMatchesReference(engine, c);
    }

    @ParameterizedTest(name = "{0} bits")
    @MethodSource("io.convjob.fast.VectorSizes#upToPreferred")
    void randomCasesMatchReference(int bits) {
        VectorEngine engine = new VectorEngine(bits);
        for (ConvCases.Case c : ConvCases.random(1000 + bits, 150)) ConvCases.assertMatchesReference(engine, c);
    }

    /** The tiled and depthwise paths VectorEngine takes when a layer's split input would be too large. */
    @ParameterizedTest(name = "{0} bits")
    @MethodSource("io.convjob.fast.VectorSizes#upToPreferred")
    void largeLayerPathsMatchReference(int bits) {
        VectorEngine vector = new VectorEngine(bits);
        ConvEngine large = new ConvEngine() {
            @Override public String name() { return "large-" + vector.name(); }

            @Override public PreparedConv prepare(ConvGeometry g, float[] weight, float[] bias) {
                return vector.prepareLarge(g, weight, bias);
            }
        };
        for (ConvCases.Case c : ConvCases.named()) ConvCases.assertMatchesReference(large, c);
        for (ConvCases.Case c : ConvCases.random(2000 + bits, 60)) ConvCases.assertMatchesReference(large, c);
    }

    @Test
    void preferredSizeOnThisMachineIsUsable() {
        VectorEngine engine = new VectorEngine();
        assertEquals("vector-" + VectorEngine.preferredBits(), engine.name());
    }
}
