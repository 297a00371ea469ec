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

/** Engine choice: defaults to the widest vector engine here (Surefire adds the module); properties force others. */
class EnginesTest {
    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    private final PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);

    @Test
    void defaultIsVectorAtPreferredSizeWithoutWarnings() {
        ConvEngine e = Engines.lookup(null, null, err);
        assertEquals("vector-" + VectorEngine.preferredBits(), e.name());
        assertEquals("", errBytes.toString(StandardCharsets.UTF_8));
    }

    @Test
    void propertiesForceEngineAndSize() {
        assertInstanceOf(ReferenceConv.class, Engines.lookup("reference", null, err));
        assertInstanceOf(ScalarEngine.class, Engines.lookup("scalar", null, err));
        assertEquals("vector-128", Engines.lookup("vector", "128", err).name());
        assertEquals("vector-256", Engines.lookup(null, "256", err).name());
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
