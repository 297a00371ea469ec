package io.convjob.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.convjob.Model;
import io.convjob.spec.SpecParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
    void onceTheInputIsKnownItsRowLengthIsWarmedUp() throws Exception {
        // at 16x16 the stack's stride-2 layers run ChannelBlockConv (output rows of 8 and 4), at 64x64 DirectConv
        // (rows of 32 and 16): only the input's own row length compiles the kernels the real batches run
        Model m = model(Files.readString(Path.of("../conf/specs/feature-stack.json")));
        KernelWarmUp warmUp = KernelWarmUp.start(m);
        try {
            assertFalse(warmUp.useInputShape(new int[] {5, 64, 64}), "5 channels for 3: the model refuses it");
            assertFalse(warmUp.useInputShape(new int[] {3, 64, 257}), "16 x 257 is more than 16 times 16 x 16: too slow a call");
            assertFalse(warmUp.useInputShape(new int[] {3, 64, 64, 64}), "a volume for an image model");
            assertTrue(warmUp.useInputShape(new int[] {3, 64, 64}));
            long deadline = System.nanoTime() + 120_000_000_000L;
            while (!Arrays.equals(warmUp.lastShape(), new int[] {3, 16, 64}) && System.nanoTime() < deadline) Thread.sleep(20);
            assertArrayEquals(new int[] {3, 16, 64}, warmUp.lastShape(), "the leading dimension cut to 16, the row kept");
        } finally {
            warmUp.close();
        }
        assertTrue(warmUp.awaitEnd(60_000), "the warm-up thread did not stop");
        assertFalse(warmUp.useInputShape(new int[] {3, 32, 32}), "closed");
        assertArrayEquals(new int[] {3, 16, 64}, warmUp.lastShape());
    }

    @Test
    void fromASpecFileItGoesOnWithTheInputShapeItIsGiven() throws Exception {
        // run's local mode: the spec and the first input file are read on the warm-up's own thread
        Path spec = Path.of("../conf/specs/feature-stack.json");
        KernelWarmUp warmUp = KernelWarmUp.startFromSpec(spec, () -> new int[] {3, 64, 64});
        try {
            long deadline = System.nanoTime() + 120_000_000_000L;
            while (!Arrays.equals(warmUp.lastShape(), new int[] {3, 16, 64}) && System.nanoTime() < deadline) Thread.sleep(20);
            assertArrayEquals(new int[] {3, 16, 64}, warmUp.lastShape(), "the input's row length, as useInputShape takes it");
            assertFalse(warmUp.useInputShape(new int[] {5, 64, 64}), "the model it built refuses 5 channels");
        } finally {
            warmUp.close();
        }
        assertTrue(warmUp.awaitEnd(60_000), "the warm-up thread did not stop");

        KernelWarmUp unknown = KernelWarmUp.startFromSpec(spec, () -> {
            throw new IllegalStateException("an unreadable input");
        });
        try {
            long deadline = System.nanoTime() + 120_000_000_000L;
            while (unknown.runs() < 1 && System.nanoTime() < deadline) Thread.sleep(20);
            assertArrayEquals(new int[] {3, 16, 16}, unknown.lastShape(), "no input shape: the small sample");
        } finally {
            unknown.close();
        }
        assertTrue(unknown.awaitEnd(60_000), "the warm-up thread did not stop");
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

    @Test
    void aModelWhoseSampleOutputIsHugeIsNotWarmedUp() throws Exception {
        // a 1x1 transposed layer with stride 60: 24 x 901 x 901 outputs (78 MB) for a 16x16 sample. A warm-up call
        // cannot be stopped, so such a model (or worse, one the command refuses by its resource plan) is left alone
        Model m = model("{\"layer\": \"ConvTranspose2d\", \"in_channels\": 1, \"out_channels\": 24, \"kernel_size\": 1,"
                + " \"stride\": 60, \"key\": 0}");
        KernelWarmUp warmUp = KernelWarmUp.start(m);
        assertTrue(warmUp.awaitEnd(10_000), "the warm-up went on");
        assertEquals(0, warmUp.runs());
        warmUp.close();
    }

    @Test
    void aLocalSpecFileIsBuiltAndWarmedUpOnTheBackgroundThread(@TempDir Path dir) throws Exception {
        KernelWarmUp warmUp = KernelWarmUp.startFromSpec(Path.of("../conf/specs/feature-stack.json"));
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (warmUp.runs() < 1 && System.nanoTime() < deadline) Thread.sleep(20);
        warmUp.close();
        assertTrue(warmUp.runs() >= 1, "runs: " + warmUp.runs());
        assertTrue(warmUp.awaitEnd(60_000));

        Path needsWeights = dir.resolve("spec.json"); // no key: the weights come from a file the warm-up does not read
        Files.writeString(needsWeights, "{\"layer\": \"Conv2d\", \"in_channels\": 3, \"out_channels\": 4, \"kernel_size\": 3}");
        KernelWarmUp none = KernelWarmUp.startFromSpec(needsWeights);
        assertTrue(none.awaitEnd(60_000));
        assertEquals(0, none.runs());
        KernelWarmUp missing = KernelWarmUp.startFromSpec(dir.resolve("missing.json"));
        assertTrue(missing.awaitEnd(60_000));
        assertEquals(0, missing.runs());
    }
}
