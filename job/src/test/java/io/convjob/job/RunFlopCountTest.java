package io.convjob.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.convjob.arrow.TensorFileWriter;
import io.convjob.shape.ModelChecks;
import io.convjob.spec.ModelSpec;
import io.convjob.spec.SpecParser;
import io.convjob.job.model.WeightsLoader;
import java.nio.file.Path;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code run}'s summary counts a transposed conv's MACs as describe and bench do ({@code Shapes.macsPerSample}: the
 * taps that meet real input), not over the zero-stuffed input, which is stride^N times more.
 */
class RunFlopCountTest extends SparkTestBase {

    @Test
    void aTransposedConvIsCountedByItsScatterTaps(@TempDir Path tmp) {
        Path spec = Path.of(System.getProperty("convjob.root", "..")).resolve("conf/specs/convtranspose2d-upsample.json");
        int[] shape = {16, 5, 5};
        int rows = 6;
        float[] data = new float[rows * 16 * 25];
        for (int i = 0; i < data.length; i++) data[i] = (i % 13) / 13f;
        long[] ids = {0, 1, 2, 3, 4, 5};
        Path input = tmp.resolve("in");
        try (BufferAllocator allocator = new RootAllocator()) {
            TensorFileWriter.writeFile(input.resolve("part-00000.arrow"), ids, data, shape, 4, allocator);
        }
        JobSummary summary = new ConvolutionJob(WeightsLoader.standard())
                .run(spark(), JobOptions.of(spec, input.toString(), tmp.resolve("out").toString()));

        // ConvTranspose2d 16 -> 8, kernel 4, stride 2, padding 1 on 5x5: out (5-1)*2 - 2 + 4 = 10
        assertArrayEquals(new int[] {8, 10, 10}, summary.outputShape());
        long scatter = 16L * 5 * 5 * 8 * 4 * 4;          // Cin * prod(in) * Cout * prod(k)
        long zeroStuffed = 8L * 10 * 10 * 16 * 4 * 4;    // Cout * prod(out) * Cin * prod(k): 4x too many
        assertEquals(51_200, scatter);
        assertEquals(4 * scatter, zeroStuffed);
        assertEquals(scatter, summary.macsPerSample());
        ModelSpec parsed = SpecParser.parse(spec);
        assertEquals(ModelChecks.walk(parsed, shape).totalMacs(), summary.macsPerSample(), "describe's count");
        assertEquals(2.0 * scatter * rows / summary.seconds() / 1e9, summary.gflops(), 1e-12);
    }
}
