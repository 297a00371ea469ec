package io.convjob.fast;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link SampleTasks}: each sample owned once, each task taken once from either end, inputs published. */
class SampleTasksTest {
    @Test
    void frontAndBackMeetWithoutGivingATaskTwice() {
        SampleTasks tasks = new SampleTasks(2, 5);
        assertEquals(0, tasks.claimSample());
        assertEquals(1, tasks.claimSample());
        assertEquals(-1, tasks.claimSample());
        assertEquals(0, tasks.claimFront(0));
        assertEquals(4, tasks.claimBack(0, 1));
        assertEquals(1, tasks.claimFront(0));
        assertEquals(3, tasks.claimBack(0, 1));
        assertTrue(tasks.hasFree(0));
        assertEquals(2, tasks.claimFront(0));
        assertFalse(tasks.hasFree(0));
        assertEquals(-1, tasks.claimBack(0, 1));
        assertEquals(-1, tasks.claimFront(0));
        // the other sample is untouched
        assertEquals(4, tasks.claimBack(1, 1));
        assertEquals(0, tasks.claimFront(1));
    }

    @Test
    void otherThreadsLeaveTheLastFreeTasksToTheOwner() {
        SampleTasks tasks = new SampleTasks(1, 4);
        assertEquals(3, tasks.claimBack(0, 2));
        assertEquals(2, tasks.claimBack(0, 2));
        assertEquals(1, tasks.claimBack(0, 2));
        assertEquals(-1, tasks.claimBack(0, 2));
        assertTrue(tasks.hasFree(0));
        assertEquals(0, tasks.claimFront(0));
        assertEquals(-1, tasks.claimFront(0));
    }

    @Test
    void aSampleIsFinishedWhenEveryTaskIsCountedAndOwnersAreKnownToThemselves() throws Exception {
        SampleTasks tasks = new SampleTasks(2, 5);
        assertEquals(0, tasks.claimSample());
        assertTrue(tasks.ownedByCaller(0));
        Thread other = new Thread(() -> assertEquals(1, tasks.claimSample()));
        other.start();
        other.join();
        assertFalse(tasks.ownedByCaller(1));
        tasks.finished(0, 3);
        assertFalse(tasks.allFinished(0));
        tasks.finished(0, 0);
        tasks.finished(0, 2);
        assertTrue(tasks.allFinished(0));
        assertFalse(tasks.allFinished(1));
    }

    @Test
    void inputsAreNullUntilPublished() {
        SampleTasks tasks = new SampleTasks(3, 1);
        float[] split = new float[4];
        assertNull(tasks.input(2));
        tasks.publish(2, split);
        assertSame(split, tasks.input(2));
        assertNull(tasks.input(1));
    }

    @Test
    void threadsTakingFromBothEndsAtOnceGetEveryTaskExactlyOnce() throws Exception {
        for (int round = 0; round < 50; round++) {
            int samples = 3;
            int perSample = 1 + round * 37;
            SampleTasks tasks = new SampleTasks(samples, perSample);
            AtomicIntegerArray taken = new AtomicIntegerArray(samples * perSample);
            Thread[] threads = new Thread[3];
            for (int th = 0; th < threads.length; th++) {
                boolean front = th == 0;
                threads[th] = new Thread(() -> {
                    for (int b = 0; b < samples; b++) {
                        for (int t = front ? tasks.claimFront(b) : tasks.claimBack(b, 2); t >= 0;
                             t = front ? tasks.claimFront(b) : tasks.claimBack(b, 2)) {
                            taken.incrementAndGet(b * perSample + t);
                        }
                    }
                });
            }
            for (Thread t : threads) t.start();
            for (Thread t : threads) t.join();
            for (int i = 0; i < taken.length(); i++) assertEquals(1, taken.get(i), "task " + i + " round " + round);
        }
    }
}
