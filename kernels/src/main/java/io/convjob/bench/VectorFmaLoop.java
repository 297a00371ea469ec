package io.convjob.bench;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * A register-only FMA loop at the preferred vector size. Two FMA pipes with a latency of 4 to 5 cycles need 8 to
 * 10 independent sums in flight; 12 chains cover that with margin, and with the two constants they still fit the
 * 16 vector registers of AVX2 (more would spill there). The loop counter is an {@code int}: a {@code long} one is
 * not a counted loop for C2 (no unrolling, a safepoint poll per iteration).
 */
final class VectorFmaLoop {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int CHAINS = 12;

    private VectorFmaLoop() {}

    /** The vector size the loop runs at, in bits. */
    static int vectorBits() {
        return S.vectorBitSize();
    }

    /** Floating-point operations done by one {@link #run} iteration. */
    static long flopsPerIteration() {
        return CHAINS * 2L * S.length();
    }

    /** Runs {@code iterations} rounds; the returned sum keeps the JIT from dropping the work. */
    static float run(int iterations, float seed) {
        FloatVector m = FloatVector.broadcast(S, 0.9999999f);
        FloatVector add = FloatVector.broadcast(S, 1e-7f);
        FloatVector a0 = FloatVector.broadcast(S, seed), a1 = a0.add(1), a2 = a0.add(2), a3 = a0.add(3);
        FloatVector a4 = a0.add(4), a5 = a0.add(5), a6 = a0.add(6), a7 = a0.add(7);
        FloatVector a8 = a0.add(8), a9 = a0.add(9), a10 = a0.add(10), a11 = a0.add(11);
        for (int i = 0; i < iterations; i++) {
            a0 = a0.fma(m, add);
            a1 = a1.fma(m, add);
            a2 = a2.fma(m, add);
            a3 = a3.fma(m, add);
            a4 = a4.fma(m, add);
            a5 = a5.fma(m, add);
            a6 = a6.fma(m, add);
            a7 = a7.fma(m, add);
            a8 = a8.fma(m, add);
            a9 = a9.fma(m, add);
            a10 = a10.fma(m, add);
            a11 = a11.fma(m, add);
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11)
                .reduceLanes(VectorOperators.ADD);
    }
}
