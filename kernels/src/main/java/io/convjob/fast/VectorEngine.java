package io.convjob.fast;

import io.convjob.engine.ConvEngine;
import io.convjob.engine.PreparedConv;
import io.convjob.shape.ConvGeometry;
import jdk.incubator.vector.FloatVector;

/**
 * The Vector API engine: direct convolution ({@link DirectConv}) with an 8 x 2-vector register-blocked
 * micro-kernel at the chosen vector size, or vectorized along output channels for strided layers: 3-tap stride-2
 * rows read in place ({@link StridedRowConv}), other short strided rows ({@link ChannelBlockConv});
 * {@link Depthwise3x3} for depthwise 3x3 pad 1 layers, {@link DepthwiseConv} for other depthwise layers too large
 * to split, and the tiled implicit GEMM
 * ({@link TiledConv}) when line buffers would be too large. Only this class, the {@code Vector*} and {@code *512}
 * kernels (with their generated 256- and 128-bit twins) and {@code bench.VectorFmaLoop} import {@code jdk.incubator.vector};
 * {@link Engines} builds this class by name, so none of them loads without the module.
 */
public final class VectorEngine implements ConvEngine {
    /** Depth rows per gathered panel: 2 vectors x 192 rows x 4 bytes = 24 KB at 512 bits, inside L1. */
    private static final int MAX_DEPTH_BLOCK = 192;

    private final int bits;
    private final MicroKernel kernel;
    private final RowAxpy rowAxpy;
    private final DirectKernel direct;
    private final ChannelBlockKernel channelBlock;
    private final StridedRowKernel stridedRow;
    private final Depthwise3x3Kernel depthwise3x3;
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
        this.direct = directKernel(bits);
        this.channelBlock = channelBlockKernel(bits);
        this.stridedRow = stridedRowKernel(bits);
        this.depthwise3x3 = switch (bits) {
            case 512 -> new Depthwise3x3Kernel512();
            case 256 -> new Depthwise3x3Kernel256();
            default -> new Depthwise3x3Kernel128();
        };
        this.rowAxpy = switch (bits) {
            case 512 -> new VectorAxpy512();
            case 256 -> new VectorAxpy256();
            default -> new VectorAxpy128();
        };
    }

    /** The {@link DirectKernel} of one vector size (128, 256 or 512). */
    static DirectKernel directKernel(int bits) {
        return switch (bits) {
            case 512 -> new DirectKernel512();
            case 256 -> new DirectKernel256();
            case 128 -> new DirectKernel128();
            default -> throw new IllegalArgumentException("vector size must be 128, 256 or 512, got " + bits);
        };
    }

    /** The {@link ChannelBlockKernel} of one vector size (128, 256 or 512). */
    static ChannelBlockKernel channelBlockKernel(int bits) {
        return switch (bits) {
            case 512 -> new ChannelBlockKernel512();
            case 256 -> new ChannelBlockKernel256();
            case 128 -> new ChannelBlockKernel128();
            default -> throw new IllegalArgumentException("vector size must be 128, 256 or 512, got " + bits);
        };
    }

    /** The {@link StridedRowKernel} of one vector size (128, 256 or 512). */
    static StridedRowKernel stridedRowKernel(int bits) {
        return switch (bits) {
            case 512 -> new StridedRowKernel512();
            case 256 -> new StridedRowKernel256();
            case 128 -> new StridedRowKernel128();
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
        if (Depthwise3x3.supports(geometry, depthwise3x3.lanes())) {
            return new Depthwise3x3(geometry, weight, bias, depthwise3x3);
        }
        if (StridedRowConv.suits(geometry, stridedRow.lanes())) {
            return new StridedRowConv(geometry, weight, bias, stridedRow, workspaces);
        }
        if (ChannelBlockConv.suits(geometry, channelBlock.lanes())) {
            return new ChannelBlockConv(geometry, weight, bias, channelBlock, workspaces);
        }
        return prepareDirect(geometry, weight, bias);
    }

    /** The paths vectorized along output positions ({@link DirectConv}, or the large-layer ones). */
    PreparedConv prepareDirect(ConvGeometry geometry, float[] weight, float[] bias) {
        ConvPlan plan = new ConvPlan(geometry, weight, bias, DirectKernel.ROWS);
        SplitInput split;
        try {
            split = new SplitInput(plan);
        } catch (ArithmeticException tooLarge) {
            return prepareLarge(geometry, weight, bias);
        }
        if (DirectConv.fits(plan, split)) return new DirectConv(plan, split, weight, direct, workspaces);
        return prepareLarge(geometry, weight, bias);
    }

    /** The paths for layers whose split input would be too large: no per-sample copy of the input. */
    PreparedConv prepareLarge(ConvGeometry geometry, float[] weight, float[] bias) {
        if (DepthwiseConv.supports(geometry)) return new DepthwiseConv(geometry, weight, bias, rowAxpy);
        return new TiledConv(geometry, weight, bias, kernel, workspaces, MAX_DEPTH_BLOCK);
    }
}
