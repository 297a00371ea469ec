package io.convjob.spec;

/** How a pooling layer reduces each window: its maximum, or its sum divided by the window's divisor. */
public enum PoolReduction {
    /** {@code lax.max} from {@code -inf}: padding never wins; an empty window gives {@code -inf}. */
    MAX,
    /** Sum from {@code 0} (padding adds nothing), divided by the divisor the window map gives. */
    MEAN
}
