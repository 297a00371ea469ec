package io.convjob.bench;

import io.convjob.pool.PoolKernels;
import io.convjob.pool.PreparedPool;
import io.convjob.shape.PoolGeometry;
import io.convjob.shape.PoolShapes;
import io.convjob.spec.ModelSpec;
import io.convjob.spec.PoolLayerSpec;
import io.convjob.spec.SpecParser;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * One pooling call on a batch of 4 (64, 112, 112) feature maps (12.8 MB in), the Vector API kernel of this JVM
 * against the plain Java one; ms per call. Pooling is memory-bound: {@code copyInput} (one copy of the same input)
 * is the floor to compare with on a loaded machine.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class PoolBenchmark {
    private static final Map<String, String> SPECS = Map.of(
            "max2x2s2", "{\"layer\": \"MaxPool2d\", \"kernel_size\": 2, \"stride\": 2}",
            "max3x3s2p1", "{\"layer\": \"MaxPool2d\", \"kernel_size\": 3, \"stride\": 2, \"padding\": 1}",
            "avg3x3s1p1", "{\"layer\": \"AvgPool2d\", \"kernel_size\": 3, \"padding\": 1}",
            "adaptiveavg1", "{\"layer\": \"AdaptiveAvgPool2d\", \"target_shape\": 1}");
    private static final int BATCH = 4;
    private static final int[] SAMPLE = {64, 112, 112};

    @Param({"max2x2s2", "max3x3s2p1", "avg3x3s1p1", "adaptiveavg1"})
    public String layer;

    @Param({"vector", "scalar"})
    public String kernel;

    private PreparedPool pool;
    private float[] x;
    private float[] y;
    private float[] copy;

    @Setup(Level.Trial)
    public void setUp() {
        ModelSpec spec = SpecParser.parse(SPECS.get(layer));
        PoolGeometry g = PoolShapes.lower((PoolLayerSpec) spec.layers().get(0), SAMPLE);
        pool = kernel.equals("vector") ? PoolKernels.prepare(g) : PoolKernels.prepareScalar(g);
        int in = SAMPLE[0] * SAMPLE[1] * SAMPLE[2];
        int out = SAMPLE[0] * g.outShape()[0] * g.outShape()[1];
        Random r = new Random(7);
        x = new float[BATCH * in];
        for (int i = 0; i < x.length; i++) x[i] = r.nextFloat() * 2 - 1;
        y = new float[BATCH * out];
        copy = new float[x.length];
    }

    /** The memory floor to compare with: one copy of the input (reads what pooling reads, writes more). */
    @Benchmark
    public float[] copyInput() {
        System.arraycopy(x, 0, copy, 0, x.length);
        return copy;
    }

    @Benchmark
    public float[] pool() {
        pool.run(x, y, BATCH * SAMPLE[0], 1, null);
        return y;
    }
}
