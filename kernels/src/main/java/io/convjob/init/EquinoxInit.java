package io.convjob.init;

/** placeholder */
public final class EquinoxInit {
    private EquinoxInit() {}
    public static ConvParams init(PrngKey key, boolean partitionable, int out, int groupedIn, int[] k, boolean useBias) {
        throw new UnsupportedOperationException("placeholder");
    }
}
