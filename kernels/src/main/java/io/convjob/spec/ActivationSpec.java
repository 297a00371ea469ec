package io.convjob.spec;

import java.util.Objects;

/** An activation entry of a stack, e.g. {@code {"layer": "relu"}}. */
public record ActivationSpec(Activation activation) implements LayerSpec {
    public ActivationSpec {
        Objects.requireNonNull(activation, "activation");
    }
}
