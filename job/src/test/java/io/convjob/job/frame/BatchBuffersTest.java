package io.convjob.job.frame;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BatchBuffersTest {

    @Test
    void aThreadsNextPartitionGetsTheBuffersTheLastOneGaveBack() {
        BatchBuffers first = BatchBuffers.borrow(12, 8);
        first.giveBack();
        BatchBuffers next = BatchBuffers.borrow(10, 8); // smaller fits too
        assertSame(first.x, next.x);
        assertSame(first.y, next.y);
        next.giveBack();
    }

    @Test
    void twoPartitionsOpenAtOnceNeverShareBuffers() {
        BatchBuffers a = BatchBuffers.borrow(12, 8);
        BatchBuffers b = BatchBuffers.borrow(12, 8); // e.g. the inner side of a cartesian product
        assertNotSame(a.x, b.x);
        assertNotSame(a.y, b.y);
        a.giveBack();
        b.giveBack();
        BatchBuffers c = BatchBuffers.borrow(12, 8);
        BatchBuffers d = BatchBuffers.borrow(12, 8);
        assertNotSame(c.x, d.x, "only one set is kept idle per thread");
    }

    @Test
    void buffersTooSmallAreReplacedAndOtherThreadsKeepTheirOwn() throws InterruptedException {
        BatchBuffers small = BatchBuffers.borrow(4, 4);
        small.giveBack();
        BatchBuffers big = BatchBuffers.borrow(16, 4);
        assertTrue(big.x.length >= 16 && big.y.length >= 4);
        assertNotSame(small.x, big.x);
        big.giveBack();
        AtomicReference<float[]> other = new AtomicReference<>();
        Thread t = new Thread(() -> other.set(BatchBuffers.borrow(16, 4).x));
        t.start();
        t.join();
        assertNotSame(big.x, other.get());
    }
}
