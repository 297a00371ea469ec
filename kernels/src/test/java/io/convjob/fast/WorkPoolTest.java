package io.convjob.fast;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link WorkPool}: every item exactly once, items really run in parallel, failures reach the caller. */
class WorkPoolTest {
    @Test
    void everyItemRunsExactlyOnceForAnyCountAndThreads() {
        for (int threads = 1; threads <= 5; threads++) {
            for (int count : new int[] {0, 1, 2, 3, 7, 64, 65, 1000, 4099}) {
                for (int call = 0; call < 20; call++) {
                    AtomicIntegerArray runs = new AtomicIntegerArray(count);
                    WorkPool.forEach(count, threads, runs::incrementAndGet);
                    for (int i = 0; i < count; i++) {
                        assertEquals(1, runs.get(i), "item " + i + " of " + count + " on " + threads + " threads");
                    }
                }
            }
        }
    }

    @Test
    void callsFromSeveralThreadsAtOnceEachRunTheirOwnItemsOnce() throws Exception {
        List<Thread> callers = new ArrayList<>();
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int c = 0; c < 4; c++) {
            Thread t = new Thread(() -> {
                try {
                    for (int call = 0; call < 300; call++) {
                        int count = 50 + call % 200;
                        AtomicIntegerArray runs = new AtomicIntegerArray(count);
                        WorkPool.forEach(count, 2, runs::incrementAndGet);
                        for (int i = 0; i < count; i++) assertEquals(1, runs.get(i), "item " + i + " of " + count);
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            });
            callers.add(t);
            t.start();
        }
        for (Thread t : callers) t.join(60_000);
        assertTrue(failures.isEmpty(), () -> failures.toString());
    }

    /** Item 0 waits for item 1 to start: only a second thread running at the same time lets the call finish. */
    @Test
    void twoThreadsRunItemsAtTheSameTime() {
        for (int call = 0; call < 50; call++) {
            CountDownLatch secondStarted = new CountDownLatch(1);
            boolean[] met = new boolean[1];
            WorkPool.forEach(2, 2, i -> {
                if (i == 1) {
                    secondStarted.countDown();
                    return;
                }
                try {
                    met[0] = secondStarted.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            assertTrue(met[0], "call " + call + ": item 0 waited 10 s for item 1 (no second thread)");
        }
    }

    @Test
    void aFailingItemReachesTheCallerAndThePoolGoesOn() {
        for (int bad : new int[] {0, 1, 500, 999}) {
            IllegalStateException thrown = new IllegalStateException("item " + bad);
            IllegalStateException caught = assertThrows(IllegalStateException.class, () -> WorkPool.forEach(1000, 2,
                    i -> {
                        if (i == bad) throw thrown;
                    }));
            assertSame(thrown, caught);
        }
        AtomicIntegerArray runs = new AtomicIntegerArray(100);
        WorkPool.forEach(100, 2, runs::incrementAndGet);
        for (int i = 0; i < 100; i++) assertEquals(1, runs.get(i));
    }
}
