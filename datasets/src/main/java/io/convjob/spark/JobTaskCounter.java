package io.convjob.spark;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.SparkListenerTaskStart;

/**
 * Counts the task attempts of the jobs that start while it listens, so a driver can wait until a failed job's last
 * task has really ended (a killed task may still be writing its file when the job's failure reaches the caller).
 *
 * <p>Spark's status tracker cannot tell this: it is filled from the same listener bus, so right after a fast failure
 * it may not know the job yet and report no active task. Here the job's end event is the barrier instead: the
 * scheduler posts every task start of a job before the job's end, so once the end has arrived, the attempts still
 * running are exactly those started and not yet ended.
 */
final class JobTaskCounter extends SparkListener implements AutoCloseable {
    private final SparkContext context;
    private final Map<Integer, Integer> jobOfStage = new HashMap<>();
    private final Map<Integer, Integer> runningByJob = new HashMap<>();
    private final Set<Integer> endedJobs = new HashSet<>();

    private JobTaskCounter(SparkContext context) {
        this.context = context;
    }

    /** Starts counting; register before submitting the jobs to watch. */
    static JobTaskCounter listen(SparkContext context) {
        JobTaskCounter counter = new JobTaskCounter(context);
        context.addSparkListener(counter);
        return counter;
    }

    @Override
    public synchronized void onJobStart(SparkListenerJobStart start) {
        for (Object stage : scala.jdk.javaapi.CollectionConverters.asJava(start.stageIds())) {
            jobOfStage.put((Integer) stage, start.jobId());
        }
        runningByJob.putIfAbsent(start.jobId(), 0);
    }

    @Override
    public synchronized void onTaskStart(SparkListenerTaskStart task) {
        Integer job = jobOfStage.get(task.stageId());
        if (job != null) runningByJob.merge(job, 1, Integer::sum);
    }

    @Override
    public synchronized void onTaskEnd(SparkListenerTaskEnd task) {
        Integer job = jobOfStage.get(task.stageId());
        if (job != null) runningByJob.merge(job, -1, Integer::sum);
        notifyAll();
    }

    @Override
    public synchronized void onJobEnd(SparkListenerJobEnd end) {
        endedJobs.add(end.jobId());
        notifyAll();
    }

    /**
     * Waits until every job in {@code jobIds} has ended and none of its task attempts is running, or the timeout
     * passed; returns whether they all ended.
     */
    synchronized boolean awaitEnded(List<Integer> jobIds, long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        while (!ended(jobIds)) {
            long left = deadline - System.nanoTime();
            if (left <= 0) return false;
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return true;
    }

    private boolean ended(List<Integer> jobIds) {
        for (int job : jobIds) {
            if (!endedJobs.contains(job) || runningByJob.getOrDefault(job, 0) > 0) return false;
        }
        return true;
    }

    @Override
    public void close() {
        context.removeSparkListener(this);
    }
}
