package io.convjob.fast;

import io.convjob.engine.ConvEngine;
import io.convjob.engine.PreparedConv;
import io.convjob.shape.ConvGeometry;

/**
 * The engine for JVMs without the Vector API module: the tiled implicit GEMM that {@link VectorEngine} keeps for
 * layers too large for its split input
 * (phases, patch gathering, blocking) with a plain-Java micro-kernel the JIT can auto-vectorise.
 */
public final class ScalarEngine implements ConvEngine {
    private static final int MAX_DEPTH_BLOCK = 256;

    private final MicroKernel kernel = new ScalarMicroKernel();
    private final ThreadLocal<Workspace> workspaces = ThreadLocal.withInitial(Workspace::new);

    @Override public String name() { return "scalar"; }

    @Override public PreparedConv prepare(ConvGeometry geometry, float[] weight, float[] bias) {
        if (DepthwiseConv.supports(geometry)) return new DepthwiseConv(geometry, weight, bias, RowAxpy.SCALAR);
        return new TiledConv(geometry, weight, bias, kernel, workspaces, MAX_DEPTH_BLOCK);
    }
}
