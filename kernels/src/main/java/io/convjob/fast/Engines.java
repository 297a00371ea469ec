package io.convjob.fast;

import io.convjob.engine.ConvEngine;
import io.convjob.reference.ReferenceConv;

import java.io.PrintStream;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * The one place that picks the engine, once per JVM and lazily: the Vector API engine at this CPU's preferred
 * vector size when the {@code jdk.incubator.vector} module is readable, vectors are at least 128 bits and the JIT
 * has FMA instructions, else the scalar engine with one warning line naming the reason. System properties {@code convjob.engine=reference|scalar|vector}
 * force an engine; {@code convjob.vectorBits=128|256|512} forces a narrower vector size.
 */
public final class Engines {
    static final String ENGINE_PROPERTY = "convjob.engine";
    static final String BITS_PROPERTY = "convjob.vectorBits";
    private static final String VECTOR_MODULE = "jdk.incubator.vector";

    private Engines() {}

    /** Holder idiom: the lookup runs on first use, never during class initialisation of callers. */
    private static final class Holder {
        static final ConvEngine ENGINE = lookup(System.getProperty(ENGINE_PROPERTY), System.getProperty(BITS_PROPERTY),
                System.err);
    }

    /** The engine for this JVM. */
    public static ConvEngine get() {
        return Holder.ENGINE;
    }

    /**
     * Chooses an engine from the two property values (null = unset); warnings go to {@code err}.
     *
     * @throws IllegalArgumentException for an unknown engine name or vector size
     * @throws IllegalStateException    when the vector engine is forced but cannot run
     */
    static ConvEngine lookup(String engine, String bits, PrintStream err) {
        String choice = engine == null ? "" : engine.trim().toLowerCase(java.util.Locale.ROOT);
        switch (choice) {
            case "reference":
                return new ReferenceConv();
            case "scalar":
                return new ScalarEngine();
            case "vector", "":
                break;
            default:
                throw new IllegalArgumentException(ENGINE_PROPERTY + ": expected reference, scalar or vector, got '"
                        + engine + "'");
        }
        boolean forced = choice.equals("vector");
        String problem = vectorProblem();
        ConvEngine vector = null;
        if (problem == null) {
            try {
                vector = newVectorEngine(bits);
            } catch (IllegalArgumentException e) {
                throw e;
            } catch (Throwable e) {
                problem = e.getMessage();
            }
        }
        boolean sizeForced = bits != null && !bits.isBlank();
        if (vector != null && !forced && !sizeForced && !fmaAvailable()) {
            // without FMA the Vector API's fma runs lane by lane in Java, far slower than the scalar engine (asked
            // for by name or size, the vector engine is still given)
            err.println("convjob: WARNING this CPU or JVM has no FMA instructions (-XX:-UseFMA); using the scalar "
                    + "engine, which is faster there than the Vector API kernels");
            return new ScalarEngine();
        }
        if (vector != null) return vector;
        if (forced) {
            throw new IllegalStateException(ENGINE_PROPERTY + "=vector but " + problem
                    + "; run java with --add-modules " + VECTOR_MODULE);
        }
        err.println("convjob: WARNING " + problem + "; using the slower scalar engine. Fix: run java with "
                + "--add-modules " + VECTOR_MODULE);
        return new ScalarEngine();
    }

    /**
     * Whether the JIT may emit FMA instructions (HotSpot's {@code UseFMA}: off on CPUs without FMA3, such as SSE-only
     * or AVX1-only x86, and with {@code -XX:UseAVX=0}). True when the JVM does not say (other JVMs).
     */
    public static boolean fmaAvailable() {
        try {
            var bean = java.lang.management.ManagementFactory.getPlatformMXBean(
                    com.sun.management.HotSpotDiagnosticMXBean.class);
            return bean == null || !"false".equals(bean.getVMOption("UseFMA").getValue());
        } catch (RuntimeException | LinkageError e) {
            return true;
        }
    }

    private static String vectorProblem() {
        if (ModuleLayer.boot().findModule(VECTOR_MODULE).isEmpty()) {
            return "module " + VECTOR_MODULE + " is not readable";
        }
        return null;
    }

    /** Built by name so a JVM without the module never links a class that imports it. */
    private static ConvEngine newVectorEngine(String bits) throws Throwable {
        MethodHandles.Lookup lookup = MethodHandles.lookup();
        Class<?> type = Class.forName("io.convjob.fast.VectorEngine");
        MethodHandle preferred = lookup.findStatic(type, "preferredBits", MethodType.methodType(int.class));
        int hardware = (int) preferred.invoke();
        int want = hardware;
        if (bits != null && !bits.isBlank()) {
            try {
                want = Integer.parseInt(bits.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(BITS_PROPERTY + ": expected 128, 256 or 512, got '" + bits + "'");
            }
            if (want != 128 && want != 256 && want != 512) {
                throw new IllegalArgumentException(BITS_PROPERTY + ": expected 128, 256 or 512, got " + want);
            }
        }
        if (hardware < 128) {
            throw new IllegalStateException("preferred vector size is " + hardware + " bits (< 128)");
        }
        if (want > hardware) {
            throw new IllegalArgumentException(BITS_PROPERTY + "=" + want + " exceeds this CPU's " + hardware + " bits");
        }
        MethodHandle ctor = lookup.findConstructor(type, MethodType.methodType(void.class, int.class));
        return (ConvEngine) ctor.invoke(want);
    }
}
