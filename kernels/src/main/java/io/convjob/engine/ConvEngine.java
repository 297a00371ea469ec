package io.convjob.engine;

import io.convjob.shape.ConvGeometry;

/**
 * A way to compute {@code lax.conv_general_dilated} as lowered in {@link ConvGeometry}: the reference
 * loops, or the fast kernels. Callers validate shapes; engines assume clean input.
 */
public interface ConvEngine {

    /** A short name for logs, {@code describe} and {@code bench}, e.g. {@code reference} or {@code vector-512}. */
    String name();

    /**
     * Prepares one layer for one input shape: the engine may repack the weights and size its workspaces here.
     *
     * @param weight {@code (outChannels, inChannels / groups, *kernel)}, C order; not modified, may be retained
     * @param bias   {@code outChannels} values, or null
     */
    PreparedConv prepare(ConvGeometry geometry, float[] weight, float[] bias);
}
