package io.convjob.fast;

import io.convjob.shape.ConvGeometry;
import jdk.incubator.vector.FloatVector;

/**
 * The Vector API engine: implicit GEMM with an 8 x 3-vector register-blocked micro-kernel at the chosen
 * vector size. Only this class and the {@code Vector*} kernels touch {@code jdk.incubator.vector}.
 */
public final class VectorEngine implements ConvEngine {
    /** Depth rows per gathered panel: 3 vectors x 160 rows x 4 bytes = 30 KB at 512 bits, inside L1. */
    private static final int MAX_DEPTH_BLOCK = 160;

    private final int bits;
    private final MicroKernel kernel;
    private final ThreadLocal<Workspace> workspaces = ThreadLocal.withInitial(Workspace::new);

    /** The preferred vector size of this machine. */
    public VectorEngine() {
        this(FloatVector.SPECIES_PREFERRED.vectorBitSize());
    }

    /**
     * @param bits 128, 256 or 512 (at most the hardware's preferred size; tests force narrower ones)
     * @throws IllegalArgumentException for other sizes or ones wider than the preferred species
     */
    public VectorEngine(int bits) {
        int preferred = FloatVector.SPECIES_PREFERRED.vectorBitSize();
        if (bits > preferred) {
            throw new IllegalArgumentException("vector size " + bits + " exceeds this CPU's " + preferred + " bits");
        }
        this.bits = bits;
        this.kernel = switch (bits) {
            case 512 -> new VectorKernel512();
            case 256 -> new VectorKernel256();
            case 128 -> new VectorKernel128();
            default -> throw new IllegalArgumentException("vector size must be 128, 256 or 512, got " + bits);
        };
    }

    /** The hardware's preferred float vector size in bits (may be below 128 on machines without SIMD). */
    public static int preferredBits() {
        return FloatVector.SPECIES_PREFERRED.vectorBitSize();
    }

    public int bits() { return bits; }

    @Override public String name() { return "vector-" + bits; }

    @Override public PreparedConv prepare(ConvGeometry geometry, float[] weight, float[] bias) {
        return new TiledConv(geometry, weight, bias, kernel, workspaces, MAX_DEPTH_BLOCK);
    }
}
