package io.convjob.spec;

/**
 * {@code {"layer": "flatten"}}: the sample {@code (channels, *spatial)} as one vector of
 * {@code channels * prod(spatial)} values in C order (like {@code jnp.ravel}); not an equinox layer, so a feature
 * extractor's output is one vector per sample.
 */
public record FlattenSpec() implements LayerSpec {
    /** The spec name. */
    public static final String NAME = "flatten";
}
