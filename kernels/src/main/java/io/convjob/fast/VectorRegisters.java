package io.convjob.fast;

/** How many vector registers the JIT has here, for kernels whose tiles are sized to them. */
final class VectorRegisters {
    private VectorRegisters() {}

    /**
     * Whether C2 has only 16 vector registers (x86 without AVX-512: HotSpot's {@code UseAVX} below 3, as on AVX2-only
     * CPUs or with {@code -XX:UseAVX=2}); tiles sized for 32 spill there. AVX-512 and ARM have 32, and so does any JVM
     * that does not say (no such option).
     */
    static final boolean SIXTEEN = sixteen();

    private static boolean sixteen() {
        try {
            var vm = java.lang.management.ManagementFactory.getPlatformMXBean(
                    com.sun.management.HotSpotDiagnosticMXBean.class);
            return Integer.parseInt(vm.getVMOption("UseAVX").getValue()) < 3;
        } catch (RuntimeException | LinkageError notX86OrNotHotSpot) {
            return false;
        }
    }
}
