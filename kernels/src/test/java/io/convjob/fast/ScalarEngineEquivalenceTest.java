package io.convjob.fast;

import org.junit.jupiter.api.Test;

/** {@link ScalarEngine} against the reference, on the same layers as the vector engine. */
class ScalarEngineEquivalenceTest {
    private final ScalarEngine engine = new ScalarEngine();

    @Test
    void namedCasesMatchReference() {
        for (ConvCases.Case c : ConvCases.named()) ConvCases.assertMatchesReference(engine, c);
    }

    @Test
    void randomCasesMatchReference() {
        for (ConvCases.Case c : ConvCases.random(77, 200)) ConvCases.assertMatchesReference(engine, c);
    }
}
