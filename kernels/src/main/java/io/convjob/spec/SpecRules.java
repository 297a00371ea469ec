package io.convjob.spec;

/** Placeholder: the load-time rules land with the spec parser. */
public final class SpecRules {
    private SpecRules() {}

    public static void check(ConvLayerSpec layer, String path) {}
}
