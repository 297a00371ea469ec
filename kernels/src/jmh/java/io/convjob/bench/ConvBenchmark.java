package io.convjob.bench;

import io.convjob.engine.PreparedConv;
import io.convjob.fast.Engines;
import io.convjob.shape.ConvGeometry;
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

import java.util.Random;
import java.util.concurrent.TimeUnit;

/** One call of the engine of this JVM on each {@link BenchConfig}, at 1 or 2 threads; ms per call. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class ConvBenchmark {

    @Param({"c2d_3x3_64_56", "c2d_1x1_256to64_56", "c2d_3x3s2_128_28", "c2d_7x7s2_3to64_224", "dw2d_3x3_256_28",
            "c3d_3x3x3_32_16x32x32", "c1d_k5d2_128_4096", "ct2d_4x4s2_128to64_32", "ct3d_2x2x2s2_64to32_16"})
    public String config;

    @Param({"1", "2"})
    public int threads;

    private PreparedConv prepared;
    private float[] x;
    private float[] y;
    private int batch;

    @Setup(Level.Trial)
    public void setUp() {
        BenchConfig c = BenchConfig.standard().stream().filter(b -> b.name().equals(config)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown config " + config));
        BenchSuite.check(Engines.get(), c.checkInstance());
        ConvGeometry g = c.geometry();
        Random r = new Random(7);
        float[] w = fill(r, (int) c.layer().weightCount());
        float[] bias = fill(r, c.layer().outChannels());
        batch = c.batch();
        x = fill(r, batch * g.inChannels() * (int) g.inSpatialSize());
        y = new float[batch * g.outChannels() * (int) g.outSpatialSize()];
        prepared = Engines.get().prepare(g, w, bias);
    }

    @Benchmark
    public float[] conv() {
        prepared.run(x, y, batch, threads);
        return y;
    }

    private static float[] fill(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = r.nextFloat() * 2 - 1;
        return a;
    }
}
