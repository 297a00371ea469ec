package io.convjob.job.frame;

import org.apache.spark.SparkContext;
import org.apache.spark.util.LongAccumulator;

import java.io.Serializable;

/**
 * Counts what the job's tasks processed. Updated in the write stage's result tasks, whose accumulator updates
 * Spark applies once per partition, so retried and speculative attempts are not counted twice.
 */
public record JobCounters(LongAccumulator rows, LongAccumulator bytesIn, LongAccumulator bytesOut) implements Serializable {

    public static JobCounters register(SparkContext sc) {
        return new JobCounters(sc.longAccumulator("convjob rows"), sc.longAccumulator("convjob bytes in"),
                sc.longAccumulator("convjob bytes out"));
    }

    void add(int rowCount, long in, long out) {
        rows.add(rowCount);
        bytesIn.add(in);
        bytesOut.add(out);
    }
}
