package io.convjob.job;

import io.convjob.job.frame.BadRowException;
import io.convjob.job.frame.ConvPartitionFunction;
import io.convjob.job.model.WeightsLoader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import org.junit.jupiter.api.Assertions;

/** The job on the conformance dataset in local[2] mode, Arrow and Parquet input, and its failure paths. */
class ConvolutionJobTest extends SparkTestBase {

    private static final Path E2E = Conformance.datasetE2e();
    private static final TensorDirs EXPECTED = TensorDirs.read(E2E.resolve("expected"));
    /** layer 0: 8 * 16*16 * 3 * 3*3; layer 2: 4 * 8*8 * 8 * 3*3 */
    private static final long MACS = 8L * 256 * 3 * 9 + 4L * 64 * 8 * 9;

    private final ConvolutionJob job = new ConvolutionJob(WeightsLoader.standard());

    private static JobOptions options(String input, Path output) {
        return JobOptions.of(E2E.resolve("spec.json"), input, output.toString());
    }

    @ParameterizedTest
    @ValueSource(ints = {7, 48, 100})
    void arrowInputReproducesEquinox(int batchSize, @TempDir Path tmp) {
        Path out = tmp.resolve("out");
        JobSummary summary = job.run(spark(), options(E2E.resolve("input").toString(), out)
                .withBatchSize(batchSize).withPartitions(3));

        TensorDirs.assertMatches(EXPECTED, TensorDirs.read(out));
        Assertions.assertTrue(Files.exists(out.resolve("_SUCCESS")));
        assertEquals(192, summary.rows());
        assertEquals(0, summary.rejected());
        assertEquals(192L * 3 * 16 * 16 * 4, summary.bytesIn());
        assertEquals(192L * 4 * 8 * 8 * 4, summary.bytesOut());
        assertEquals(MACS, summary.macsPerSample());
        assertArrayEquals(new int[] {4, 8, 8}, summary.outputShape());
    }

    @ParameterizedTest
    @ValueSource(ints = {7, 100})
    void parquetInputReproducesEquinox(int batchSize, @TempDir Path tmp) {
        Path out = tmp.resolve("out");
        JobSummary summary = job.run(spark(), options(E2E.resolve("input_parquet").toString(), out)
                .withBatchSize(batchSize).withPartitions(3));

        TensorDirs.assertMatches(EXPECTED, TensorDirs.read(out));
        assertEquals(192, summary.rows());
    }

    /** --partitions N hashes rows by their position: N partitions, no sort of the rows, every row once, same values. */
    @Test
    void partitionsSpreadRowsByPositionWithoutSortingThem(@TempDir Path tmp) {
        Dataset<Row> input = spark().read().format("arrow-tensor").load(E2E.resolve("input").toString());
        Dataset<Row> spread = ConvolutionJob.spread(input, 5);
        assertEquals(input.schema(), spread.schema());
        assertEquals(5, spread.rdd().getNumPartitions());
        String plan = spread.queryExecution().executedPlan().toString();
        Assertions.assertTrue(plan.contains("hashpartitioning(__convjob_position"), plan);
        Assertions.assertFalse(plan.contains("Sort"), plan);

        Path out = tmp.resolve("out");
        JobSummary summary = job.run(spark(), options(E2E.resolve("input_parquet").toString(), out).withPartitions(5));
        assertEquals(192, summary.rows());
        assertEquals(5, TensorDirs.arrowFiles(out).size());
        TensorDirs.assertMatches(EXPECTED, TensorDirs.read(out)); // fails on a row written twice
    }

    /**
     * Parquet is read in batches sized to the tensors, in a session of the job's own: a smaller batch the user set is
     * kept, the caller's session is left as it was, and rows spanning several read batches give the same result.
     */
    @Test
    void parquetIsReadInBatchesSizedToTheTensorsWithoutChangingTheSession(@TempDir Path tmp) {
        String key = io.convjob.job.input.ParquetReadBatch.BATCH_SIZE;
        assertEquals(682, io.convjob.job.input.ParquetReadBatch.rows(4096, 3 * 16 * 16));
        assertEquals(5, io.convjob.job.input.ParquetReadBatch.rows(5, 3 * 16 * 16));
        assertEquals(1, io.convjob.job.input.ParquetReadBatch.rows(4096, 3 * 1024 * 1024));
        io.convjob.storage.Storage storage = io.convjob.storage.Storage.of(spark().sparkContext().hadoopConfiguration());
        String parquet = E2E.resolve("input_parquet").toString();

        spark().conf().set("fs.convjob.test.setting", "kept"); // a runtime Hadoop setting reaches the read
        io.convjob.job.input.TensorInput sized;
        try {
            sized = io.convjob.job.input.TensorInput.read(spark(), storage, parquet, null, "tensor", null, false);
        } finally {
            spark().conf().unset("fs.convjob.test.setting");
        }
        assertEquals("682", sized.frame().sparkSession().conf().get(key));
        assertEquals("kept", sized.frame().sparkSession().conf().get("fs.convjob.test.setting"));
        Assertions.assertFalse(spark().conf().contains(key), "the caller's session is unchanged");

        spark().conf().set(key, "5");
        try {
            io.convjob.job.input.TensorInput small = io.convjob.job.input.TensorInput.read(spark(), storage, parquet, null,
                    "tensor", null, false);
            assertEquals("5", small.frame().sparkSession().conf().get(key));
            Path out = tmp.resolve("out");
            JobSummary summary = job.run(spark(), options(parquet, out).withBatchSize(7));
            assertEquals(192, summary.rows());
            TensorDirs.assertMatches(EXPECTED, TensorDirs.read(out));
            assertEquals("5", spark().conf().get(key));
        } finally {
            spark().conf().unset(key);
        }
    }

    /**
     * Parquet read again in the same session: the read session is the same one (Spark keys its generated code by the
     * session's class loader), so the second run compiles no code; the tasks' batch buffers are lent from task to task
     * and run to run, and every row of both runs is exactly what Model.run gives for it.
     */
    @Test
    void parquetRunsAgainWithoutCompilingCodeAgainAndEveryRowIsModelRuns(@TempDir Path tmp) {
        String parquet = E2E.resolve("input_parquet").toString();
        io.convjob.storage.Storage storage = io.convjob.storage.Storage.of(spark().sparkContext().hadoopConfiguration());
        spark().conf().set("fs.convjob.test.setting", "once");
        io.convjob.job.input.TensorInput first;
        try {
            first = io.convjob.job.input.TensorInput.read(spark(), storage, parquet, null, "tensor", null, false);
        } finally {
            spark().conf().unset("fs.convjob.test.setting");
        }
        io.convjob.job.input.TensorInput second = io.convjob.job.input.TensorInput.read(spark(), storage, parquet, null,
                "tensor", null, false);
        Assertions.assertSame(first.frame().sparkSession(), second.frame().sparkSession());
        assertFalse(second.frame().sparkSession().conf().contains("fs.convjob.test.setting"), "a setting the caller unset is gone");

        job.run(spark(), options(parquet, tmp.resolve("warm")).withBatchSize(7));
        long compiled = org.apache.spark.metrics.source.CodegenMetrics.METRIC_COMPILATION_TIME().getCount();
        Path out = tmp.resolve("out");
        assertEquals(192, job.run(spark(), options(parquet, out).withBatchSize(7)).rows());
        assertEquals(compiled, org.apache.spark.metrics.source.CodegenMetrics.METRIC_COMPILATION_TIME().getCount(),
                "the second run compiled code again");

        io.convjob.Model model = io.convjob.Model.fromSpec(io.convjob.spec.SpecParser.parse(E2E.resolve("spec.json")));
        int[] shape = {3, 16, 16};
        TensorDirs input = TensorDirs.read(E2E.resolve("input"));
        for (Path dir : List.of(tmp.resolve("warm"), out)) {
            TensorDirs output = TensorDirs.read(dir);
            assertEquals(input.rows().keySet(), output.rows().keySet());
            float[] y = new float[4 * 8 * 8];
            for (Map.Entry<Long, float[]> row : input.rows().entrySet()) {
                model.run(row.getValue(), shape, 1, y, 1);
                assertArrayEquals(y, output.rows().get(row.getKey()), "id " + row.getKey());
            }
        }
    }

    /**
     * Local Parquet is read without Parquet's vectored reads (the Hadoop configuration the scan hands its readers says
     * so), unless the caller set the switch; the rows are equinox's either way, and the caller's session is unchanged.
     */
    @Test
    void localParquetIsReadWithoutVectoredReadsUnlessTheCallerSetsThem(@TempDir Path tmp) {
        String key = io.convjob.job.input.ParquetVectoredReads.ENABLED;
        io.convjob.storage.Storage storage = io.convjob.storage.Storage.of(spark().sparkContext().hadoopConfiguration());
        String parquet = E2E.resolve("input_parquet").toString();

        io.convjob.job.input.TensorInput plain = io.convjob.job.input.TensorInput.read(spark(), storage, parquet, null,
                "tensor", null, false);
        assertEquals("false", scanHadoopConf(plain.frame()).get(key));
        Path out = tmp.resolve("out");
        assertEquals(192, job.run(spark(), options(parquet, out)).rows());
        TensorDirs.assertMatches(EXPECTED, TensorDirs.read(out));
        assertFalse(spark().conf().contains(key), "the caller's session is unchanged");

        spark().conf().set(key, "true");
        try {
            io.convjob.job.input.TensorInput chosen = io.convjob.job.input.TensorInput.read(spark(), storage, parquet, null,
                    "tensor", null, false);
            assertEquals("true", scanHadoopConf(chosen.frame()).get(key), "the caller's value is kept");
            Path vectored = tmp.resolve("vectored");
            assertEquals(192, job.run(spark(), options(parquet, vectored)).rows());
            TensorDirs.assertMatches(EXPECTED, TensorDirs.read(vectored));
        } finally {
            spark().conf().unset(key);
        }
    }

    /** The Hadoop configuration a frame's file scan gives its readers (the session's, with the read's options). */
    private static org.apache.hadoop.conf.Configuration scanHadoopConf(Dataset<Row> frame) {
        var scans = frame.queryExecution().executedPlan().collectLeaves();
        var scan = (org.apache.spark.sql.execution.FileSourceScanExec) scans.head();
        var relation = scan.relation();
        return relation.sparkSession().sessionState().newHadoopConfWithOptions(relation.options());
    }

    /**
     * Parquet's schema comes from one footer read on the driver, not from Spark's schema-inference job: reading a
     * pyarrow-written and a Spark-written directory launches no Spark job, and the schema (field metadata included)
     * is what Spark infers; a partitioned directory is left to Spark's inference and keeps its partition column.
     */
    @Test
    void parquetSchemaComesFromTheFooterWithoutASparkJob(@TempDir Path tmp) throws Exception {
        io.convjob.storage.Storage storage = io.convjob.storage.Storage.of(spark().sparkContext().hadoopConfiguration());
        String pyarrow = E2E.resolve("input_parquet").toString();
        String sparkWritten = tmp.resolve("spark-written").toString();
        spark().read().format("arrow-tensor").load(E2E.resolve("input").toString()).write()
                .format(io.convjob.spark.TensorParquetFormat.SHORT_NAME).save(sparkWritten); // Spark's writer, the shape kept
        Path partitioned = tmp.resolve("partitioned");
        try (var files = Files.list(E2E.resolve("input_parquet"))) {
            for (Path f : files.filter(f -> f.toString().endsWith(".parquet")).toList()) {
                Path dir = partitioned.resolve("k=" + (f.getFileName().toString().hashCode() & 1));
                Files.createDirectories(dir);
                Files.copy(f, dir.resolve(f.getFileName()));
            }
        }

        java.util.concurrent.atomic.AtomicInteger jobs = new java.util.concurrent.atomic.AtomicInteger();
        org.apache.spark.scheduler.SparkListener counter = new org.apache.spark.scheduler.SparkListener() {
            @Override
            public void onJobStart(org.apache.spark.scheduler.SparkListenerJobStart start) {
                jobs.incrementAndGet();
            }
        };
        spark().sparkContext().addSparkListener(counter);
        try {
            for (String dir : List.of(pyarrow, sparkWritten)) {
                Dataset<Row> inferred = spark().read().parquet(dir);
                spark().sparkContext().listenerBus().waitUntilEmpty();
                jobs.set(0);
                io.convjob.job.input.TensorInput read = io.convjob.job.input.TensorInput.read(spark(), storage, dir, null,
                        "tensor", null, false);
                spark().sparkContext().listenerBus().waitUntilEmpty();
                assertEquals(0, jobs.get(), dir + ": reading launched a Spark job");
                assertEquals(inferred.schema(), read.frame().schema(), dir);
                assertEquals(inferred.schema().json(), read.frame().schema().json(), dir + ": field metadata");
                assertArrayEquals(new int[] {3, 16, 16}, read.sampleShape(), dir);
                assertEquals(192, read.frame().count(), dir);
            }
            io.convjob.job.input.TensorInput read = io.convjob.job.input.TensorInput.read(spark(), storage,
                    partitioned.toString(), io.convjob.format.TensorFormat.PARQUET, "tensor", null, false);
            Assertions.assertTrue(List.of(read.frame().columns()).contains("k"), "partition column kept");
            assertEquals(192, read.frame().count());
        } finally {
            spark().sparkContext().removeSparkListener(counter);
        }
        Path out = tmp.resolve("out");
        assertEquals(192, job.run(spark(), options(sparkWritten, out).withBatchSize(7)).rows());
        TensorDirs.assertMatches(EXPECTED, TensorDirs.read(out));
    }

    /**
     * Files whose batches are megabytes (8 files of 40 rows of (3, 64, 64)): the tasks take their Arrow memory from the
     * executor's pool and give it all back, the pool keeps it for the next task, and every row is what the model gives.
     */
    @Test
    void bigFilesGoThroughTheExecutorsMemoryPool(@TempDir Path tmp) throws IOException {
        int[] shape = {3, 64, 64};
        Path in = tmp.resolve("in");
        Files.createDirectories(in);
        try (org.apache.arrow.memory.BufferAllocator allocator = new org.apache.arrow.memory.RootAllocator()) {
            for (int f = 0; f < 8; f++) {
                long[] ids = new long[40];
                float[] data = new float[40 * 3 * 64 * 64];
                for (int r = 0; r < 40; r++) ids[r] = 40L * f + r;
                for (int i = 0; i < data.length; i++) data[i] = (float) Math.sin(0.001 * i + f);
                io.convjob.arrow.TensorFileWriter.writeFile(in.resolve("part-" + f + ".arrow"), ids, data, shape, 40, allocator);
            }
        }
        Path spec = Files.writeString(tmp.resolve("spec.json"),
                "{\"layer\": \"Conv2d\", \"in_channels\": 3, \"out_channels\": 8, \"kernel_size\": 3, \"padding\": 1, \"key\": 3}");
        Path out = tmp.resolve("out");
        JobSummary summary = job.run(spark(), JobOptions.of(spec, in.toString(), out.toString()).withBatchSize(40));

        assertEquals(320, summary.rows());
        io.convjob.arrow.ArrowMemoryPool pool = io.convjob.arrow.ArrowMemoryPool.shared();
        assertEquals(0, pool.inUseBytes(), "every task gave its memory back");
        Assertions.assertTrue(pool.idleBytes() > 0, "the pool keeps the blocks for the next tasks (within its grace)");
        io.convjob.Model model = io.convjob.Model.fromSpec(io.convjob.spec.SpecParser.parse(spec));
        TensorDirs input = TensorDirs.read(in);
        TensorDirs output = TensorDirs.read(out);
        assertArrayEquals(new int[] {8, 64, 64}, output.shape());
        assertEquals(input.rows().keySet(), output.rows().keySet());
        float[] x = new float[40 * 3 * 64 * 64];
        float[] y = new float[40 * 8 * 64 * 64];
        List<Long> ids = List.copyOf(input.rows().keySet());
        for (int first = 0; first < ids.size(); first += 40) { // a file's 40 rows, one kernel call as in its task
            for (int r = 0; r < 40; r++) System.arraycopy(input.rows().get(ids.get(first + r)), 0, x, r * 3 * 64 * 64, 3 * 64 * 64);
            model.run(x, shape, 40, y, 1);
            for (int r = 0; r < 40; r++) {
                assertArrayEquals(java.util.Arrays.copyOfRange(y, r * 8 * 64 * 64, (r + 1) * 8 * 64 * 64),
                        output.rows().get(ids.get(first + r)), "id " + ids.get(first + r));
            }
        }
    }

    @Test
    void retriedTaskWritesEveryRowExactlyOnce(@TempDir Path tmp) {
        Path out = tmp.resolve("out");
        spark().sparkContext().setLocalProperty(ConvPartitionFunction.FAIL_FIRST_ATTEMPT, "true");
        try {
            JobSummary summary = job.run(spark(), options(E2E.resolve("input").toString(), out).withBatchSize(16)
                    .withPartitions(2));
            assertEquals(192, summary.rows());
        } finally {
            spark().sparkContext().setLocalProperty(ConvPartitionFunction.FAIL_FIRST_ATTEMPT, null);
        }
        // TensorDirs.read fails on an id written twice
        TensorDirs.assertMatches(EXPECTED, TensorDirs.read(out));
    }

    @Test
    void existingOutputIsRefusedUnlessOverwrite(@TempDir Path tmp) throws IOException {
        Path out = Files.createDirectories(tmp.resolve("out"));
        Files.writeString(out.resolve("old.arrow"), "stale");
        JobOptions options = options(E2E.resolve("input").toString(), out);

        OutputExistsException refused = assertThrows(OutputExistsException.class, () -> job.run(spark(), options));
        assertEquals(out + ": output directory exists (use --overwrite to replace it)", refused.getMessage());

        job.run(spark(), options.withOverwrite(true));
        assertFalse(Files.exists(out.resolve("old.arrow")));
        TensorDirs.assertMatches(EXPECTED, TensorDirs.read(out));
    }

    /** 40 rows of shape (3, 16, 16) in 4 Parquet files; ids 13 (null), 21 (short) and 34 (a null value) are bad. */
    private Path badInput(Path tmp) {
        Path dir = tmp.resolve("bad_input");
        spark().sql("SELECT id, CASE"
                        + " WHEN id = 13 THEN CAST(NULL AS ARRAY<FLOAT>)"
                        + " WHEN id = 21 THEN array_repeat(CAST(1.0 AS FLOAT), 700)"
                        + " WHEN id = 34 THEN concat(array_repeat(CAST(1.0 AS FLOAT), 767), array(CAST(NULL AS FLOAT)))"
                        + " ELSE transform(sequence(1, 768), i -> CAST(sin(i + id) AS FLOAT)) END AS tensor"
                        + " FROM range(0, 40, 1, 4)")
                .write().parquet(dir.toString());
        return dir;
    }

    @Test
    void badRowFailsTheJobNamingFileAndIdAndLeavesNoFileBehind(@TempDir Path tmp) {
        Path out = tmp.resolve("out");
        JobOptions options = options(badInput(tmp).toString(), out).withShape(new int[] {3, 16, 16}).withBatchSize(2);

        BadRowException e = assertThrows(BadRowException.class, () -> job.run(spark(), options));
        Assertions.assertTrue(e.getMessage().matches(".*part-\\d+.*\\.parquet: id (13|21|34): column 'tensor' .*"), e.getMessage());
        // the aborted job leaves no data file, visible or temporary, and no success marker
        assertEquals(List.of(), Files.exists(out) ? TensorDirs.arrowFiles(out) : List.of());
        assertFalse(Files.exists(out.resolve("_SUCCESS")));
    }

    @Test
    void nullTensorInArrowFilesFailsTheJobNamingFileAndId(@TempDir Path tmp) {
        // the file-to-file path reads Arrow directly: a null tensor is caught there, named by its id
        Path dir = tmp.resolve("bad_arrow");
        spark().sql("SELECT id, CASE WHEN id = 13 THEN CAST(NULL AS ARRAY<FLOAT>)"
                        + " ELSE transform(sequence(1, 768), i -> CAST(sin(i + id) AS FLOAT)) END AS tensor"
                        + " FROM range(0, 40, 1, 4)")
                .write().format("arrow-tensor").option("shape", "[3,16,16]").mode("append").save(dir.toString());
        Path out = tmp.resolve("out");

        io.convjob.error.InputException e = assertThrows(io.convjob.error.InputException.class,
                () -> job.run(spark(), options(dir.toString(), out).withBatchSize(3)));
        Assertions.assertTrue(e.getMessage().matches(".*part-\\d+.*\\.arrow: id 13: column 'tensor'.*null.*"), e.getMessage());
        assertEquals(List.of(), Files.exists(out) ? TensorDirs.arrowFiles(out) : List.of());
        assertFalse(Files.exists(out.resolve("_SUCCESS")));
    }

    @Test
    void skippedBadRowsAreRecordedWithTheirReason(@TempDir Path tmp) {
        Path out = tmp.resolve("out");
        JobSummary summary = job.run(spark(), options(badInput(tmp).toString(), out).withShape(new int[] {3, 16, 16})
                .withOnBadRow(BadRowPolicy.SKIP).withBatchSize(3));

        assertEquals(37, summary.rows());
        assertEquals(3, summary.rejected());
        TensorDirs written = TensorDirs.read(out);
        assertEquals(37, written.rows().size());
        assertFalse(written.rows().containsKey(13L) || written.rows().containsKey(21L) || written.rows().containsKey(34L));

        Dataset<Row> rejected = spark().read().json(out.resolve(ConvolutionJob.REJECTED_DIR).toString());
        Map<Long, String> reasons = rejected.collectAsList().stream()
                .collect(Collectors.toMap(r -> r.getLong(r.fieldIndex("id")), r -> r.getString(r.fieldIndex("reason"))));
        assertEquals(Map.of(13L, "is null", 21L, "has 700 values, expected 768 for shape [3, 16, 16]",
                34L, "holds a null value"), reasons);
        Assertions.assertTrue(rejected.collectAsList().stream().allMatch(r -> r.getString(r.fieldIndex("file")).endsWith(".parquet")));
    }
}
