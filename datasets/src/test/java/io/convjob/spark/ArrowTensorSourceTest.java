package io.convjob.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.convjob.arrow.CompressedIpc;
import io.convjob.arrow.TensorCompression;
import io.convjob.arrow.TensorFileReader;
import io.convjob.error.InputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.compression.CompressionUtil;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The arrow-tensor source in local mode: conformance dataset reads, write/read round trips, modes, abort. */
class ArrowTensorSourceTest {
    private static SparkSession spark;

    @BeforeAll
    static void startSpark() {
        spark = SparkSession.builder().master("local[2]").appName("ArrowTensorSourceTest")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "2")
                .getOrCreate();
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
    }

    private static Path inputDir() {
        return Path.of(System.getProperty("conformance.dir"), "dataset_e2e", "input");
    }

    /** id -> tensor as read by TensorFileReader, the reference for Spark's view. */
    private static Map<Long, float[]> readFiles(List<Path> files) {
        Map<Long, float[]> rows = new HashMap<>();
        try (BufferAllocator allocator = new RootAllocator()) {
            for (Path file : files) {
                try (TensorFileReader reader = TensorFileReader.open(file, allocator)) {
                    while (reader.loadNextBatch()) {
                        BigIntVector ids = (BigIntVector) reader.root().getVector("id");
                        for (int r = 0; r < reader.batchRows(); r++) {
                            float[] row = new float[reader.elementCount()];
                            reader.copyTensors(r, 1, row, 0);
                            assertNull(rows.put(ids.get(r), row), "duplicate id " + ids.get(r));
                        }
                    }
                }
            }
        }
        return rows;
    }

    private static Map<Long, float[]> collect(Dataset<Row> df) {
        Map<Long, float[]> rows = new HashMap<>();
        for (Row row : df.select("id", "tensor").collectAsList()) {
            List<Float> values = row.getList(1);
            float[] tensor = new float[values.size()];
            for (int i = 0; i < tensor.length; i++) tensor[i] = values.get(i);
            assertNull(rows.put(row.getLong(0), tensor), "duplicate id " + row.getLong(0));
        }
        return rows;
    }

    private static void assertSameRows(Map<Long, float[]> expected, Map<Long, float[]> actual) {
        assertEquals(expected.keySet(), actual.keySet());
        expected.forEach((id, tensor) -> assertArrayEquals(tensor, actual.get(id), "id " + id));
    }

    private static List<Path> files(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.sorted().toList();
        }
    }

    @Test
    void readsTheConformanceDatasetOnePartitionPerFile() throws IOException {
        Dataset<Row> df = spark.read().format("arrow-tensor").load(inputDir().toString());
        assertEquals(4, df.rdd().getNumPartitions());
        assertEquals(192, df.count());
        assertEquals(192, df.select("id").distinct().count());
        StructField tensor = df.schema().apply("tensor");
        assertEquals(DataTypes.createArrayType(DataTypes.FloatType, false), tensor.dataType());
        assertEquals("{\"shape\":[3,16,16],\"permutation\":[0,1,2]}", tensor.metadata().getString("arrow.fixed_shape_tensor"));
        assertEquals(DataTypes.LongType, df.schema().apply("id").dataType());
        assertSameRows(readFiles(files(inputDir())), collect(df));
    }

    @Test
    void splitsFilesByBatchesAndAcceptsGlobs() throws IOException {
        Dataset<Row> perBatch = spark.read().format("arrow-tensor").option("batchesPerPartition", "1").load(inputDir().toString());
        assertEquals(8, perBatch.rdd().getNumPartitions());
        assertEquals(192, perBatch.count());
        Dataset<Row> glob = spark.read().format("arrow-tensor").load(inputDir().resolve("part-0000[13].arrow").toString());
        assertEquals(2, glob.rdd().getNumPartitions());
        assertSameRows(readFiles(List.of(inputDir().resolve("part-00001.arrow"), inputDir().resolve("part-00003.arrow"))), collect(glob));
    }

    @Test
    void writesWithTheCommitProtocolAndReadsBack(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("out");
        Dataset<Row> input = spark.read().format("arrow-tensor").load(inputDir().toString());
        input.repartition(3).write().format("arrow-tensor").mode(SaveMode.Append).option("rowsPerBatch", "10").save(out.toString());

        List<String> names = files(out).stream().map(p -> p.getFileName().toString()).toList();
        assertTrue(names.contains("_SUCCESS"), names.toString());
        assertFalse(names.contains("_temporary"), names.toString());
        List<String> parts = names.stream().filter(n -> n.endsWith(".arrow")).toList();
        assertEquals(3, parts.size(), names.toString());
        assertEquals(4, names.size(), names.toString());
        for (String part : parts) assertTrue(part.matches("part-0000[0-2]-\\d+\\.arrow"), part);

        Dataset<Row> back = spark.read().format("arrow-tensor").load(out.toString());
        assertEquals(input.schema(), back.schema());
        assertSameRows(readFiles(files(inputDir())), collect(back));
        try (BufferAllocator allocator = new RootAllocator();
             TensorFileReader reader = TensorFileReader.open(out.resolve(parts.get(0)), allocator)) {
            assertEquals("{\"shape\":[3,16,16],\"permutation\":[0,1,2]}", reader.tensorType().serialize());
            assertTrue(reader.batchCount() >= 2, "rowsPerBatch=10 splits 64 rows");
        }
    }

    /**
     * Without option rowsPerBatch a record batch holds at most 2 MiB of tensors: 32 rows of (1, 128, 128) floats; the
     * buffers are reserved once per file and refilled, every value lands where it belongs.
     */
    @Test
    void bigTensorsAreWrittenInBatchesOfAtMostTwoMebibytes(@TempDir Path dir) throws IOException {
        int elements = 128 * 128;
        assertEquals(32, TensorSourceOptions.defaultRowsPerBatch(elements));
        assertEquals(TensorSourceOptions.DEFAULT_ROWS_PER_BATCH, TensorSourceOptions.defaultRowsPerBatch(3 * 4 * 4));
        assertEquals(682, TensorSourceOptions.defaultRowsPerBatch(3 * 16 * 16));
        assertEquals(1, TensorSourceOptions.defaultRowsPerBatch(3 * 1024 * 1024));
        Path out = dir.resolve("big");
        Dataset<Row> input = spark.range(0, 100, 1, 1).selectExpr("id",
                "transform(sequence(0, " + (elements - 1) + "), i -> cast(id * 100000 + i AS float)) AS tensor");
        input.write().format("arrow-tensor").option("shape", "[1,128,128]").save(out.toString());

        List<Path> parts = files(out).stream().filter(p -> p.toString().endsWith(".arrow")).toList();
        assertEquals(1, parts.size(), parts.toString());
        Map<Long, float[]> expected = new HashMap<>();
        try (BufferAllocator allocator = new RootAllocator();
             TensorFileReader reader = TensorFileReader.open(parts.get(0), allocator)) {
            assertEquals(4, reader.batchCount());
            for (int b = 0; b < 4; b++) assertEquals(b < 3 ? 32 : 4, reader.batchRowCount(b), "batch " + b);
        }
        for (long id = 0; id < 100; id++) {
            float[] row = new float[elements];
            for (int i = 0; i < elements; i++) row[i] = (float) (id * 100000 + i);
            expected.put(id, row);
        }
        assertSameRows(expected, readFiles(parts));
    }

    /** Option compression, as {@code apply --compression}: every batch carries the codec; Spark and pyarrow read it back. */
    @ParameterizedTest
    @ValueSource(strings = {"lz4", "zstd"})
    void writesCompressedBatchesThatReadBackEqual(String codec, @TempDir Path dir) throws Exception {
        Path out = dir.resolve(codec);
        Dataset<Row> input = spark.read().format("arrow-tensor").load(inputDir().toString());
        input.repartition(2).write().format("arrow-tensor").option("compression", codec).option("rowsPerBatch", "40")
                .save(out.toString());

        List<Path> parts = files(out).stream().filter(p -> p.toString().endsWith(".arrow")).toList();
        assertEquals(2, parts.size(), parts.toString());
        for (Path part : parts) {
            assertEquals(TensorCompression.parse(codec).codec(), CompressedIpc.codecOf(part), part.toString());
            assertTrue(CompressedIpc.batchCodecs(part).size() >= 2, "rowsPerBatch=40 splits about 96 rows");
        }
        Map<Long, float[]> expected = readFiles(files(inputDir()));
        Dataset<Row> back = spark.read().format("arrow-tensor").load(out.toString());
        assertEquals(input.schema(), back.schema());
        assertSameRows(expected, collect(back));

        // a third-party reader: pyarrow decompresses the same values
        Map<Long, float[]> seen = new HashMap<>();
        for (Path part : parts) {
            JsonNode read = CompressedIpc.readWithPyarrow(part);
            assertTrue(read.get("extension").asText().contains("arrow.fixed_shape_tensor"), read.toString());
            for (int row = 0; row < read.get("ids").size(); row++) {
                JsonNode values = read.get("values").get(row);
                float[] tensor = new float[values.size()];
                for (int k = 0; k < tensor.length; k++) tensor[k] = (float) values.get(k).asDouble();
                seen.put(read.get("ids").get(row).asLong(), tensor);
            }
        }
        assertSameRows(expected, seen);
    }

    @Test
    void writesUncompressedBatchesByDefaultAndWithNone(@TempDir Path dir) throws IOException {
        Dataset<Row> input = spark.read().format("arrow-tensor").load(inputDir().toString()).coalesce(1);
        input.write().format("arrow-tensor").save(dir.resolve("default").toString());
        input.write().format("arrow-tensor").option("compression", "NONE").save(dir.resolve("none").toString());
        for (String name : List.of("default", "none")) {
            for (Path part : files(dir.resolve(name))) {
                if (part.toString().endsWith(".arrow")) assertEquals(CompressionUtil.CodecType.NO_COMPRESSION, CompressedIpc.codecOf(part));
            }
        }
    }

    @Test
    void anUnknownCompressionIsOneLineAndWritesNothing(@TempDir Path dir) {
        Path out = dir.resolve("out");
        Dataset<Row> input = spark.read().format("arrow-tensor").load(inputDir().toString());
        InputException e = assertThrows(InputException.class,
                () -> input.write().format("arrow-tensor").option("compression", "gzip").save(out.toString()));
        assertEquals("arrow-tensor option compression must be none, lz4 or zstd, got 'gzip'", e.getMessage());
        assertFalse(Files.exists(out), "nothing written");
    }

    @Test
    void writesNewDataWithAShapeOptionExtraColumnsAndNulls(@TempDir Path dir) {
        StructType schema = new StructType(new StructField[] {
            new StructField("id", DataTypes.LongType, false, Metadata.empty()),
            new StructField("label", DataTypes.StringType, true, Metadata.empty()),
            new StructField("tensor", DataTypes.createArrayType(DataTypes.FloatType, true), true, Metadata.empty()),
            new StructField("weight", DataTypes.DoubleType, true, Metadata.empty()),
        });
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            float[] t = new float[6];
            for (int k = 0; k < 6; k++) t[k] = i * 6 + k - 0.25f;
            rows.add(RowFactory.create((long) i, i % 4 == 0 ? null : "r" + i, i == 7 ? null : t, i % 5 == 0 ? null : i / 3.0));
        }
        Dataset<Row> df = spark.createDataFrame(rows, schema).repartition(2);
        Path out = dir.resolve("new");
        df.write().format("arrow-tensor").option("shape", "[2,3]").mode(SaveMode.Overwrite).save(out.toString());

        Dataset<Row> back = spark.read().format("arrow-tensor").load(out.toString());
        assertEquals("{\"shape\":[2,3]}", back.schema().apply("tensor").metadata().getString("arrow.fixed_shape_tensor"));
        assertEquals(List.of("id", "label", "tensor", "weight"), List.of(back.schema().fieldNames()));
        List<Row> read = back.orderBy("id").collectAsList();
        assertEquals(25, read.size());
        for (int i = 0; i < 25; i++) {
            Row row = read.get(i);
            assertEquals((long) i, row.getLong(0));
            assertEquals(i % 4 == 0 ? null : "r" + i, row.isNullAt(1) ? null : row.getString(1));
            assertEquals(i % 5 == 0 ? null : i / 3.0, row.isNullAt(3) ? null : row.getDouble(3));
            if (i == 7) {
                assertTrue(row.isNullAt(2));
                continue;
            }
            List<Float> t = row.getList(2);
            for (int k = 0; k < 6; k++) assertEquals(i * 6 + k - 0.25f, t.get(k));
        }
    }

    @Test
    void everySaveModeBehavesAsForParquet(@TempDir Path dir) throws IOException {
        Dataset<Row> input = spark.read().format("arrow-tensor").load(inputDir().resolve("part-00000.arrow").toString());
        Path out = dir.resolve("modes");
        Path parquet = dir.resolve("modes-parquet");
        // the DataFrameWriter's default mode (errorifexists) on a new path writes
        input.write().format("arrow-tensor").save(out.toString());
        input.write().parquet(parquet.toString());
        assertEquals(48, spark.read().format("arrow-tensor").load(out.toString()).count());
        assertEquals(List.of("_SUCCESS", "part-00000-" ), files(out).stream().map(p -> p.getFileName().toString())
                .map(n -> n.startsWith("part-00000-") ? "part-00000-" : n).toList());

        // errorifexists on an existing path: refused, as parquet refuses it, the output untouched
        Exception exists = assertThrows(Exception.class, () -> input.write().format("arrow-tensor").save(out.toString()));
        assertEquals("arrow-tensor: path " + out + " already exists (save mode errorifexists, Spark's default);"
                + " use mode(\"overwrite\") or mode(\"append\")", exists.getMessage());
        assertThrows(Exception.class, () -> input.write().parquet(parquet.toString()));
        assertEquals(48, spark.read().format("arrow-tensor").load(out.toString()).count());

        // ignore: an existing path is left alone; a new one is written
        input.limit(3).write().format("arrow-tensor").mode(SaveMode.Ignore).save(out.toString());
        input.limit(3).write().mode(SaveMode.Ignore).parquet(parquet.toString());
        assertEquals(48, spark.read().format("arrow-tensor").load(out.toString()).count());
        assertEquals(48, spark.read().parquet(parquet.toString()).count());
        input.limit(3).write().format("arrow-tensor").mode("ignore").save(dir.resolve("ignored").toString());
        assertEquals(3, spark.read().format("arrow-tensor").load(dir.resolve("ignored").toString()).count());

        // append adds, overwrite replaces
        input.write().format("arrow-tensor").mode(SaveMode.Append).save(out.toString());
        assertEquals(96, spark.read().format("arrow-tensor").load(out.toString()).count());
        input.limit(5).write().format("arrow-tensor").mode(SaveMode.Overwrite).save(out.toString());
        assertEquals(5, spark.read().format("arrow-tensor").load(out.toString()).count());
        assertTrue(Files.exists(out.resolve("_SUCCESS")));

        // the older option: append, but only into a directory without Arrow files
        Exception option = assertThrows(Exception.class,
                () -> input.write().format("arrow-tensor").mode(SaveMode.Append).option("errorIfExists", "true").save(out.toString()));
        assertEquals("arrow-tensor: output path " + out + " already holds Arrow files (errorIfExists=true)", option.getMessage());
    }

    @Test
    void aSecondWriterIsRefusedWhileTheFirstHoldsTheDirectory(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("locked");
        Files.createDirectories(out);
        Files.writeString(out.resolve(io.convjob.storage.OutputDirectory.LOCK), "other-job on host since then\n");
        Dataset<Row> input = spark.read().format("arrow-tensor").load(inputDir().resolve("part-00000.arrow").toString());
        Exception e = assertThrows(Exception.class,
                () -> input.write().format("arrow-tensor").mode(SaveMode.Overwrite).save(out.toString()));
        assertTrue(e.getMessage().contains("another job is writing this output (other-job on host since then)"), e.getMessage());
        assertEquals(List.of(io.convjob.storage.OutputDirectory.LOCK), files(out).stream().map(p -> p.getFileName().toString()).toList());
    }

    @Test
    void aFailedWriteLeavesNothingBehind(@TempDir Path dir) throws IOException {
        StructType schema = new StructType(new StructField[] {
            new StructField("id", DataTypes.LongType, false, Metadata.empty()),
            new StructField("tensor", DataTypes.createArrayType(DataTypes.FloatType, false), false, Metadata.empty()),
        });
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 40; i++) rows.add(RowFactory.create((long) i, new float[i == 33 ? 5 : 4]));
        Dataset<Row> df = spark.createDataFrame(rows, schema).repartition(4);
        Path out = dir.resolve("failed");
        Exception e = assertThrows(Exception.class,
                () -> df.write().format("arrow-tensor").mode(SaveMode.Append).option("shape", "[2,2]").save(out.toString()));
        assertTrue(rootMessage(e).contains("column 'tensor' has 5 values, expected 4 (shape [2, 2])"), rootMessage(e));
        // no file anywhere under out; a task still being killed may at most leave empty directories behind
        List<Path> left;
        try (Stream<Path> all = Files.exists(out) ? Files.walk(out) : Stream.empty()) {
            left = all.filter(Files::isRegularFile).toList();
        }
        assertEquals(List.of(), left);
        assertFalse(Files.exists(out.resolve("_SUCCESS")));
    }

    @Test
    void anUncommittedAttemptNeverShips(@TempDir Path dir) throws IOException {
        StructType schema = new StructType(new StructField[] {
            new StructField("id", DataTypes.LongType, false, Metadata.empty()),
            new StructField("tensor", DataTypes.createArrayType(DataTypes.FloatType, false), false, Metadata.empty()),
        });
        TensorWriteJob job = new TensorWriteJob(io.convjob.storage.Storage.standard(), dir.resolve("out").toString(), "q1",
                schema, "tensor", "{\"shape\":[2]}", 8, "UTC", io.convjob.arrow.TensorCompression.NONE);
        io.convjob.storage.OutputDirectory claimed = io.convjob.storage.OutputDirectory.claim(io.convjob.storage.Storage.standard(),
                new org.apache.hadoop.fs.Path(job.directory()), job.queryId());
        // two attempts of partition 0 both finish their files; Spark keeps only the second's result
        TensorCommitMessage loser = commitRows(job, 0, 11L, 3);
        TensorCommitMessage winner = commitRows(job, 0, 12L, 2);
        TensorCommitMessage other = commitRows(job, 1, 13L, 4);
        assertTrue(Files.exists(Path.of(java.net.URI.create(loser.file()))));
        new TensorCommitter(claimed).commit(List.of(winner, other), false);

        Path out = dir.resolve("out");
        assertEquals(List.of("_SUCCESS", "part-00000-12.arrow", "part-00001-13.arrow"),
                files(out).stream().map(p -> p.getFileName().toString()).toList());
        try (BufferAllocator allocator = new RootAllocator();
             TensorFileReader reader = TensorFileReader.open(out.resolve("part-00000-12.arrow"), allocator)) {
            assertEquals(2, reader.rowCount());
        }
    }

    private static TensorCommitMessage commitRows(TensorWriteJob job, int partition, long taskId, int rows) {
        try (TensorDataWriter writer = new TensorDataWriter(job, partition, taskId)) {
            for (int i = 0; i < rows; i++) {
                writer.write(new org.apache.spark.sql.catalyst.expressions.GenericInternalRow(new Object[] {
                    (long) i, org.apache.spark.sql.catalyst.util.ArrayData.toArrayData(new float[] {i, -i})}));
            }
            return writer.commit();
        }
    }

    private static String rootMessage(Throwable t) {
        StringBuilder all = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) all.append(c.getMessage()).append(" | ");
        return all.toString();
    }
}
