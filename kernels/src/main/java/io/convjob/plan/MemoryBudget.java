package io.convjob.plan;

/**
 * The memory a plan must fit, and how the user raises it.
 *
 * @param bytes what is available to the buffers the plan counts
 * @param name  what the limit is, for messages: {@code the heap (-Xmx) of 512 MiB}
 * @param raise how to raise it: {@code -Xmx (CONVJOB_JAVA_OPTS=-Xmx4g)}
 */
public record MemoryBudget(long bytes, String name, String raise) {

    /** This JVM's heap: its maximum less what is in use now. */
    public static MemoryBudget heap() {
        Runtime rt = Runtime.getRuntime();
        long max = rt.maxMemory();
        long free = max - (rt.totalMemory() - rt.freeMemory());
        return new MemoryBudget(free, "the heap (-Xmx " + ResourcePlan.bytes(max) + ", " + ResourcePlan.bytes(free)
                + " free)", "-Xmx (e.g. CONVJOB_JAVA_OPTS=-Xmx" + suggestGiB(max) + "g)");
    }

    /** A Spark executor's heap less Spark's reserved 300 MiB. */
    public static MemoryBudget executor(long executorBytes, String setting, boolean local) {
        long usable = Math.max(0, executorBytes - 300L * 1024 * 1024);
        String name = local ? "the driver's heap (local mode: -Xmx " + ResourcePlan.bytes(executorBytes)
                + " less Spark's reserved 300 MiB)" : setting + " less Spark's reserved 300 MiB";
        String raise = local ? "-Xmx (e.g. CONVJOB_JAVA_OPTS=-Xmx" + suggestGiB(executorBytes) + "g; spark-submit --driver-memory)"
                : "spark.executor.memory (e.g. --conf spark.executor.memory=" + suggestGiB(executorBytes) + "g)";
        return new MemoryBudget(usable, name, raise);
    }

    private static long suggestGiB(long current) {
        return Math.max(2, 2 * ((current + (1L << 30) - 1) >> 30));
    }
}
