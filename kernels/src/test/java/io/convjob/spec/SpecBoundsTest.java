package io.convjob.spec;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Specs are bounded: size and JSON nesting depth, each named in the refusal. */
class SpecBoundsTest {
    @TempDir Path tmp;

    @Test
    @Timeout(60) // a guard against reading forever, not a speed test
    void aSpecThatNeverEndsIsRefusedAtTheSizeLimit() {
        SpecException e = assertThrows(SpecException.class, () -> SpecParser.parse(Path.of("/dev/zero")));
        assertEquals("spec file /dev/zero: more than 1 MiB (1048576 characters), the limit for a spec", e.getMessage());
    }

    @Test
    void aLargeSpecFileIsRefused() throws IOException {
        Path big = tmp.resolve("big.json");
        Files.writeString(big, "{\"layer\": \"Conv2d\"" + " ".repeat(SpecParser.MAX_SPEC_CHARS) + "}");
        SpecException e = assertThrows(SpecException.class, () -> SpecParser.parse(big));
        assertTrue(e.getMessage().endsWith(": more than 1 MiB (1048576 characters), the limit for a spec"), e.getMessage());
    }

    @Test
    void deepNestingIsRefusedNamingTheLimit() {
        String deep = "[".repeat(100_000) + "]".repeat(100_000);
        SpecException e = assertThrows(SpecException.class, () -> SpecParser.parse(deep));
        assertEquals("spec: nested deeper than 32 levels, the limit for a spec", e.getMessage());
        String object = "{\"layer\": \"Conv2d\", \"in_channels\": " + "{\"a\": ".repeat(40) + "1" + "}".repeat(40) + "}";
        assertEquals("spec: nested deeper than 32 levels, the limit for a spec",
                assertThrows(SpecException.class, () -> SpecParser.parse(object)).getMessage());
    }
}
