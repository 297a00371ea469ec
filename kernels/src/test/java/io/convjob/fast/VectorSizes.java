package io.convjob.fast;

import java.util.stream.IntStream;

/**
 * The vector sizes a test can run here: 128 bits up to this CPU's preferred size (512 on AVX-512, 256 on AVX2,
 * 128 on SSE or NEON). Wider species would run as slow Java fallbacks that the engine never picks, and
 * {@link VectorEngine} refuses them.
 */
public final class VectorSizes {
    private VectorSizes() {}

    /** {@code 128, 256, 512} up to {@link VectorEngine#preferredBits()}; for {@code @MethodSource}. */
    public static IntStream upToPreferred() {
        int preferred = VectorEngine.preferredBits();
        return IntStream.of(128, 256, 512).filter(bits -> bits <= preferred);
    }
}
