package io.convjob.pool;

import io.convjob.fast.Engines;
import io.convjob.shape.PoolGeometry;

/**
 * Prepares pooling on the kernels that match the JVM's convolution engine ({@link Engines#get()}): the Vector
 * API kernel of the same vector size, or the plain Java one for the scalar and reference engines. The choice is
 * made once, lazily; the vector class is loaded by name so a JVM without {@code jdk.incubator.vector} never links it.
 */
public final class PoolKernels {
    private PoolKernels() {}

    private static final class Holder {
        static final PoolKernel KERNEL = forEngine(Engines.get().name());
    }

    /** Pooling of {@code geometry} on this JVM's kernels. */
    public static PreparedPool prepare(PoolGeometry geometry) {
        return new PreparedPool(geometry, Holder.KERNEL);
    }

    /**
     * {@code a[i] = a[i] > 0 ? a[i] : 0} ({@code Activation.RELU} exactly) for {@code i} in {@code [off, off + len)},
     * on this JVM's kernel: the relu pooling fuses, also used by the activation layer.
     */
    public static void reluInPlace(float[] a, int off, int len) {
        Holder.KERNEL.reluInPlace(a, off, len);
    }

    /** Pooling on the plain Java kernel (tests compare the vector kernels against it). */
    public static PreparedPool prepareScalar(PoolGeometry geometry) {
        return new PreparedPool(geometry, ScalarPoolKernel.INSTANCE);
    }

    /** The kernel for an engine name: {@code vector-512/256/128}, else scalar. */
    static PoolKernel forEngine(String engineName) {
        if (!engineName.startsWith("vector-")) return ScalarPoolKernel.INSTANCE;
        try {
            Class<?> type = Class.forName("io.convjob.pool.VectorPoolKernel" + engineName.substring("vector-".length()));
            return (PoolKernel) type.getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException | LinkageError e) {
            return ScalarPoolKernel.INSTANCE; // the conv engine already warned if the module is missing
        }
    }
}
