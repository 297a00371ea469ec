package io.convjob.plan;

import io.convjob.shape.ModelChecks;
import io.convjob.shape.ModelSummary;
import io.convjob.spec.ModelSpec;
import io.convjob.spec.SpecException;
import io.convjob.spec.SpecParser;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The plan's sizes, its refusals (Java's limits, the memory budget) and the overflow-checked shape walk. */
class ResourcePlanTest {
    private static final MemoryBudget GIB = new MemoryBudget(1L << 30, "a 1 GiB test budget", "the test budget");

    private static ModelSpec conv(int in, int out, String extra) {
        return SpecParser.parse("{\"layer\": \"Conv2d\", \"in_channels\": " + in + ", \"out_channels\": " + out
                + ", \"kernel_size\": 3" + extra + ", \"key\": 0}");
    }

    private static PlanRequest request(int[] shape, long rows, int batch, boolean given, MemoryBudget budget) {
        return new PlanRequest(shape, rows, batch, given, 0, 1, budget);
    }

    @Test
    void buffersAreCountedInBytesPerRow() {
        ModelSpec spec = SpecParser.parse("{\"layers\": [{\"layer\": \"Conv2d\", \"in_channels\": 3, \"out_channels\": 8,"
                + " \"kernel_size\": 3, \"padding\": \"SAME\", \"key\": 0}, {\"layer\": \"relu\"}, {\"layer\": \"Conv2d\","
                + " \"in_channels\": 8, \"out_channels\": 2, \"kernel_size\": 3, \"key\": 1}]}");
        ResourcePlan plan = ResourcePlan.of(spec, request(new int[] {3, 10, 10}, -1, 4, true, GIB));
        assertArrayEquals(new int[] {2, 8, 8}, plan.outputShape());
        assertEquals(4, plan.batchRows());
        assertEquals(4L * 300, plan.inputBytesPerRow());
        assertEquals(4L * 128, plan.outputBytesPerRow());
        assertEquals(4L * 2 * 800, plan.intermediateBytesPerRow(), "two buffers of the largest inner output");
        assertEquals(4L * 800, plan.workspaceBytesPerRow(), "the largest conv input");
        assertEquals(2L * 4 * (8 * 27 + 8 + 2 * 72 + 2), plan.weightBytes(), "weights as read and packed");
        assertEquals(plan.weightBytes() + 4L * (300 + 128 + 1600 + 800) * 4, plan.totalBytes());
    }

    @Test
    void everyLaneHasItsOwnWorkspaceAndTwoPairsOfBatchBuffers() {
        ModelSpec spec = SpecParser.parse("{\"layers\": [{\"layer\": \"Conv2d\", \"in_channels\": 3, \"out_channels\": 8,"
                + " \"kernel_size\": 3, \"padding\": \"SAME\", \"key\": 0}, {\"layer\": \"relu\"}, {\"layer\": \"Conv2d\","
                + " \"in_channels\": 8, \"out_channels\": 2, \"kernel_size\": 3, \"key\": 1}]}");
        ResourcePlan plan = ResourcePlan.of(spec, request(new int[] {3, 10, 10}, -1, 4, true, GIB).withLanes(3));
        assertEquals(3, plan.lanes());
        // per row: 6 input/output pairs (two per lane), 3 x (two intermediates + workspace)
        assertEquals(plan.weightBytes() + 4L * 4 * (6 * (300 + 128) + 3 * (1600 + 800)), plan.totalBytes());
        assertTrue(plan.toText().contains("3 batches computed at once"), plan.toText());
        assertTrue(plan.estimate().contains("3 lanes of batch of 4 rows"), plan.estimate());

        // a default batch size adapts to the lanes' memory: here room for 6 rows in one lane, 1 in three
        long perRowOneLane = 4L * (300 + 128 + 1600 + 800);
        long perRowThreeLanes = 4L * (6 * (300 + 128) + 3 * (1600 + 800));
        MemoryBudget tight = new MemoryBudget(plan.weightBytes() + 6 * perRowOneLane, "a tight test heap", "-Xmx (test)");
        assertEquals(6, ResourcePlan.of(spec, request(new int[] {3, 10, 10}, -1, 64, false, tight)).batchRows());
        assertEquals(6 * perRowOneLane / perRowThreeLanes,
                ResourcePlan.of(spec, request(new int[] {3, 10, 10}, -1, 64, false, tight).withLanes(3)).batchRows());
    }

    @Test
    void batchAdaptsDownToTheRowsPresent() {
        ResourcePlan plan = ResourcePlan.of(conv(3, 4, ""), request(new int[] {3, 16, 16}, 2, 64, false, GIB));
        assertEquals(2, plan.batchRows());
        ResourcePlan given = ResourcePlan.of(conv(3, 4, ""), request(new int[] {3, 16, 16}, 40, 1_000_000, true, GIB));
        assertEquals(40, given.batchRows(), "a --batch-size beyond the rows present is the rows present");
    }

    @Test
    void defaultBatchAdaptsToMemoryAGivenOneIsRefusedWithTheFix() {
        // one row: 64x64x64 in, 64x62x62 out, workspace = input: about 3 MiB a row
        ModelSpec spec = conv(64, 64, "");
        MemoryBudget small = new MemoryBudget(20L << 20, "a 20 MiB test heap", "-Xmx (test)");
        ResourcePlan adapted = ResourcePlan.of(spec, request(new int[] {64, 64, 64}, -1, 64, false, small));
        assertTrue(adapted.batchRows() >= 1 && adapted.batchRows() < 64, "rows: " + adapted.batchRows());
        assertTrue(adapted.totalBytes() <= small.bytes());
        ResourceLimitException e = assertThrows(ResourceLimitException.class,
                () -> ResourcePlan.of(spec, request(new int[] {64, 64, 64}, -1, 64, true, small)));
        assertTrue(e.getMessage().startsWith("not enough memory: weights "), e.getMessage());
        assertTrue(e.getMessage().contains("more than a 20 MiB test heap; lower --batch-size to at most "
                + adapted.batchRows() + ", or raise -Xmx (test)"), e.getMessage());
    }

    @Test
    void aRecordBatchLargerThanMemoryIsReadInSlicesWhenItCanBe() {
        // one row: [3, 64, 64] in, [4, 62, 62] out; a record batch row holds its input and twice its output: 172.3 KiB
        ModelSpec spec = conv(3, 4, "");
        int[] shape = {3, 64, 64};
        long recordRowBytes = 4L * (3 * 64 * 64 + 2 * 4 * 62 * 62);
        MemoryBudget small = new MemoryBudget(64L << 20, "a 64 MiB test heap", "-Xmx (test)");
        long oneBatch = 100_000; // 16.4 GiB as one record batch
        ResourcePlan sliced = ResourcePlan.of(spec, new PlanRequest(shape, oneBatch, 64, false, oneBatch, 1, small, true));
        assertTrue(sliced.recordBatchRows() >= 1 && sliced.recordBatchRows() < oneBatch, "slice: " + sliced.recordBatchRows());
        assertTrue(sliced.totalBytes() <= small.bytes(), "the slice and the batch fit: " + sliced.totalBytes());
        assertTrue(sliced.recordBatchRows() * recordRowBytes <= small.bytes());
        // the same budget read the batch whole: refused, saying what is read whole
        ResourceLimitException e = assertThrows(ResourceLimitException.class,
                () -> ResourcePlan.of(spec, new PlanRequest(shape, oneBatch, 64, false, oneBatch, 1, small, false)));
        assertTrue(e.getMessage().contains("write the input with smaller record batches (a compressed record batch, or any"
                + " in an Arrow stream, is read whole; an uncompressed IPC file is read in slices), or raise -Xmx (test)"),
                e.getMessage());
        // a record batch that fits is read whole either way
        ResourcePlan fits = ResourcePlan.of(spec, new PlanRequest(shape, 100, 64, false, 100, 1, small, true));
        assertEquals(100, fits.recordBatchRows());
        // a given --batch-size is kept; the slice takes what is left
        ResourcePlan given = ResourcePlan.of(spec, new PlanRequest(shape, oneBatch, 16, true, oneBatch, 1, small, true));
        assertEquals(16, given.batchRows());
        assertTrue(given.totalBytes() <= small.bytes(), "fits: " + given.totalBytes());
        assertTrue(given.recordBatchRows() < oneBatch);
    }

    @Test
    void batchBeyondAnArrayIsRefusedNamingTheOption() {
        ResourceLimitException e = assertThrows(ResourceLimitException.class, () -> ResourcePlan.of(conv(3, 4, ""),
                request(new int[] {3, 1000, 1000}, -1, 100_000, true, new MemoryBudget(Long.MAX_VALUE, "x", "y"))));
        assertEquals("--batch-size 100000: 100,000 rows x 3,984,016 floats is more than a Java array holds"
                + " (2,147,483,639); at most 539 rows per batch for this model and input shape", e.getMessage());
    }

    @Test
    void weightsBeyondAnArrayAreRefusedNamingTheLayer() {
        ModelSpec spec = SpecParser.parse("{\"layers\": [{\"layer\": \"Conv2d\", \"in_channels\": 3, \"out_channels\": 4,"
                + " \"kernel_size\": 3, \"key\": 0}, {\"layer\": \"Conv2d\", \"in_channels\": 4, \"out_channels\": 1000000000,"
                + " \"kernel_size\": 3, \"key\": 1}]}");
        ResourceLimitException e = assertThrows(ResourceLimitException.class, () -> ResourcePlan.checkWeights(spec, GIB));
        assertEquals("layers[1]: weight [1000000000, 4, 3, 3] (out_channels, in_channels / groups, *kernel_size) has"
                + " 36,000,000,000 elements, more than a Java array holds (2,147,483,639)", e.getMessage());
        ResourceLimitException heap = assertThrows(ResourceLimitException.class,
                () -> ResourcePlan.checkWeights(conv(3, 10_000_000, ""), GIB));
        assertTrue(heap.getMessage().startsWith("not enough memory: the weights need about 2.1 GiB"), heap.getMessage());
    }

    @Test
    void hugePaddingIsRefusedByTheWalkNeverANegativeMacCount() {
        SpecException e = assertThrows(SpecException.class,
                () -> ModelSummary.of(conv(3, 4, ", \"padding\": 1000000000"), new int[] {3, 224, 224}));
        assertTrue(e.getMessage().contains("more than a Java array holds"), e.getMessage());
        SpecException t = assertThrows(SpecException.class, () -> ModelChecks.walk(SpecParser.parse(
                "{\"layer\": \"ConvTranspose2d\", \"in_channels\": 3, \"out_channels\": 4, \"kernel_size\": 3,"
                        + " \"stride\": 1000, \"key\": 0}"), new int[] {3, 224, 224}));
        assertEquals("output: shape [4, 223003, 223003] has 198,921,352,036 values per sample, more than a Java array"
                + " holds (2,147,483,639)", t.getMessage());
        SpecException input = assertThrows(SpecException.class,
                () -> ModelChecks.walk(conv(3, 4, ""), new int[] {3, 65536, 65536}));
        assertTrue(input.getMessage().startsWith("input: shape [3, 65536, 65536] has 12,884,901,888 values"), input.getMessage());
        SpecException wide = assertThrows(SpecException.class, () -> ModelChecks.walk(SpecParser.parse(
                "{\"layer\": \"Conv1d\", \"in_channels\": 1, \"out_channels\": 1, \"kernel_size\": 3, \"dilation\": 2000000000,"
                        + " \"padding\": \"SAME\", \"key\": 0}"), new int[] {1, 8}));
        assertTrue(wide.getMessage().startsWith("padding: "), wide.getMessage());
        // a large but valid shape: positive MACs
        assertTrue(ModelSummary.of(conv(3, 4, ", \"padding\": 100"), new int[] {3, 224, 224}).totalMacs() > 0);
    }
}
