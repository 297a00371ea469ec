package io.convjob.job.frame;

import io.convjob.plan.MemoryBudget;
import io.convjob.plan.PlanRequest;
import io.convjob.plan.ResourcePlan;
import io.convjob.spec.ModelSpec;
import org.apache.spark.SparkContext;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The resource plan of a Spark run, made on the driver before any task starts: every buffer a task allocates
 * against an executor's memory ({@code spark.executor.memory}; in local mode the driver's heap) times the tasks an
 * executor runs at once. The default batch size adapts down to fit; a batch size the user gave is kept or refused.
 */
public final class DriverPlan {
    private static final Pattern LOCAL = Pattern.compile("local(?:\\[(\\*|\\d+)(?:,\\d+)?])?");

    private DriverPlan() {}

    /** @throws io.convjob.plan.ResourceLimitException with the estimate, the limit and what to change */
    public static ResourcePlan check(SparkContext sc, ModelSpec spec, int[] sampleShape, int batchSize) {
        Matcher local = LOCAL.matcher(sc.master());
        boolean isLocal = local.matches();
        int taskCpus = Math.max(1, sc.getConf().getInt("spark.task.cpus", 1));
        int tasks;
        MemoryBudget budget;
        if (isLocal) {
            String n = local.group(1);
            int cores = n == null ? 1 : n.equals("*") ? Runtime.getRuntime().availableProcessors() : Integer.parseInt(n);
            tasks = Math.max(1, cores / taskCpus);
            budget = MemoryBudget.executor(Runtime.getRuntime().maxMemory(), "", true);
        } else {
            tasks = Math.max(1, sc.getConf().getInt("spark.executor.cores", 1) / taskCpus);
            long bytes = (long) sc.executorMemory() * 1024 * 1024;
            budget = MemoryBudget.executor(bytes, "spark.executor.memory " + sc.executorMemory() + "m", false);
        }
        return ResourcePlan.of(spec, new PlanRequest(sampleShape, -1, batchSize,
                batchSize != ConvOptions.DEFAULT_BATCH_SIZE, 0, tasks, budget));
    }
}
