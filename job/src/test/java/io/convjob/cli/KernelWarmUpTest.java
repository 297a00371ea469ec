package io.convjob.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.convjob.Model;
import io.convjob.spec.SpecParser;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class KernelWarmUpTest {
    private static Model model(String json) {
        return Model.fromSpec(SpecParser.parse(json));
    }

    @Test
    void warmsTheModelUpOnASmallSampleOfItsChannelsUntilClosed() throws Exception {
        Model m = model(Files.readString(Path.of("../conf/specs/feature-stack.json")));
        assertArrayEquals(new int[] {3, 16, 16}, KernelWarmUp.sampleShape(m));
        KernelWarmUp warmUp = KernelWarmUp.start(m);
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (warmUp.runs() < 2 && System.nanoTime() < deadline) Thread.sleep(20);
        assertTrue(warmUp.runs() >= 2, "runs: " + warmUp.runs());
        warmUp.close();
        assertTrue(warmUp.awaitEnd(60_000), "the warm-up thread did not stop");
        int stoppedAt = warmUp.runs();
        Thread.sleep(100);
        assertEquals(stoppedAt, warmUp.runs());
        assertTrue(stoppedAt < KernelWarmUp.MAX_RUNS, "ran to its limit: " + stoppedAt);
    }

    @Test
    void aVolumeModelWarmsUpOnAVolume() {
        Model m = model("{\"layer\": \"Conv3d\", \"in_channels\": 2, \"out_channels\": 4, \"kernel_size\": 3, \"key\": 1}");
        assertArrayEquals(new int[] {2, 16, 16, 16}, KernelWarmUp.sampleShape(m));
    }

    @Test
    void aModelThatRefusesTheSmallSampleIsNotWarmedUp() throws Exception {
        // cropping 9 on each side needs more than 16: only the real input (e.g. 20x20) fits
        Model m = model("{\"layer\": \"Conv2d\", \"in_channels\": 1, \"out_channels\": 1, \"kernel_size\": 1, \"padding\": -9, \"key\": 1}");
        assertNull(KernelWarmUp.sampleShape(m));
        KernelWarmUp warmUp = KernelWarmUp.start(m);
        assertTrue(warmUp.awaitEnd(1));
        assertEquals(0, warmUp.runs());
        warmUp.close();
    }
}
