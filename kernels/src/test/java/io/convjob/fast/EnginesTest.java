package io.convjob.fast;

import io.convjob.engine.ConvEngine;
import io.convjob.reference.ReferenceConv;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Engine choice: defaults to the widest vector engine this CPU offers (Surefire adds the module; with
 * {@code -Dtest.jvm.extra=-XX:UseAVX=2} that is 256 bits); properties force others.
 */
class EnginesTest {
    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    private final PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);

    @Test
    void defaultIsVectorAtPreferredSizeWithoutWarnings() {
        ConvEngine e = Engines.lookup(null, null, err);
        if (Engines.fmaAvailable()) {
            assertEquals("vector-" + VectorEngine.preferredBits(), e.name());
            assertEquals("", errBytes.toString(StandardCharsets.UTF_8));
        } else {
            // -XX:UseAVX=0 or a CPU without FMA3: the Vector API's fma would run lane by lane in Java
            assertEquals("scalar", e.name());
            assertTrue(errBytes.toString(StandardCharsets.UTF_8).contains("no FMA instructions"));
        }
    }

    @Test
    void propertiesForceEngineAndSize() {
        assertInstanceOf(ReferenceConv.class, Engines.lookup("reference", null, err));
        assertInstanceOf(ScalarEngine.class, Engines.lookup("scalar", null, err));
        VectorSizes.upToPreferred().forEach(bits -> {
            assertEquals("vector-" + bits, Engines.lookup("vector", String.valueOf(bits), err).name());
            assertEquals("vector-" + bits, Engines.lookup(null, String.valueOf(bits), err).name());
        });
    }

    /** On a CPU with narrower vectors (AVX2: 256 bits) a wider forced size is refused with the reason. */
    @Test
    void sizesAboveThisCpusAreRefused() {
        int preferred = VectorEngine.preferredBits();
        for (int bits = preferred * 2; bits <= 512; bits *= 2) {
            String wanted = String.valueOf(bits);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Engines.lookup(null, wanted, err));
            assertEquals("convjob.vectorBits=" + bits + " exceeds this CPU's " + preferred + " bits", e.getMessage());
        }
    }

    @Test
    void badValuesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> Engines.lookup("gpu", null, err));
        assertThrows(IllegalArgumentException.class, () -> Engines.lookup(null, "64", err));
        assertThrows(IllegalArgumentException.class, () -> Engines.lookup(null, "wide", err));
    }

    @Test
    void getReturnsOneSharedEngine() {
        assertEquals(Engines.get(), Engines.get());
    }
}
