package io.convjob.init;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Random123's known answers for threefry2x32 with 20 rounds (also asserted by JAX's own tests). */
class Threefry2x32Test {

    @ParameterizedTest(name = "key ({0}, {1}), counter ({2}, {3})")
    @CsvSource({
        "0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x6B200159, 0x99BA4EFE",
        "0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0x1CB996FC, 0xBB002BE7",
        "0x13198A2E, 0x03707344, 0x243F6A88, 0x85A308D3, 0xC4923A9C, 0x483DF7A0",
    })
    void matchesRandom123KnownAnswers(String k0, String k1, String x0, String x1, String y0, String y1) {
        long h = Threefry2x32.hash(word(k0), word(k1), word(x0), word(x1));
        assertEquals(Integer.toHexString(word(y0)), Integer.toHexString(Threefry2x32.high(h)), "y0");
        assertEquals(Integer.toHexString(word(y1)), Integer.toHexString(Threefry2x32.low(h)), "y1");
    }

    private static int word(String hex) {
        return Integer.parseUnsignedInt(hex.substring(2), 16);
    }
}
