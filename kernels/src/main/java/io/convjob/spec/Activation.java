package io.convjob.spec;

import java.util.Locale;

/** The elementwise activations a stack may hold between layers, with JAX's definitions. */
public enum Activation {
    RELU, SIGMOID, TANH,
    /** JAX's default {@code jax.nn.gelu(approximate=True)}: the tanh approximation. */
    GELU,
    SILU,
    /** {@code jax.nn.gelu(approximate=False)}, PyTorch's default {@code nn.GELU()}: {@code x * Phi(x)} with erf. */
    GELU_EXACT;

    /** The spec name, e.g. {@code "relu"}. */
    public String specName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public float apply(float x) {
        return switch (this) {
            case RELU -> x > 0f ? x : 0f;
            case SIGMOID -> (float) (1.0 / (1.0 + Math.exp(-x)));
            case TANH -> (float) Math.tanh(x);
            case GELU -> {
                double xd = x;
                double inner = 0.7978845608028654 * (xd + 0.044715 * xd * xd * xd); // sqrt(2/pi)
                yield (float) (0.5 * xd * (1.0 + Math.tanh(inner)));
            }
            case SILU -> (float) (x / (1.0 + Math.exp(-x)));
            case GELU_EXACT -> (float) (0.5 * x * (1.0 + Erf.erf(x * 0.7071067811865476))); // 1/sqrt(2)
        };
    }

    /** Applies the activation in place to {@code data[from, to)}. */
    public void applyInPlace(float[] data, int from, int to) {
        for (int i = from; i < to; i++) {
            data[i] = apply(data[i]);
        }
    }
}
