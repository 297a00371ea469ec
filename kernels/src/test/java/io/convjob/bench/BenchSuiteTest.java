package io.convjob.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BenchSuiteTest {

    @Test
    void aRunWithOneThreadGivesEachLargerThreadCountItsSpeedupOverOneThread() throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        List<BenchResult> results = BenchSuite.run(
                new BenchOptions(BenchOptions.QUICK, new int[] {1, 2}, List.of("ct3d_2x2x2s2_64to32_16")),
                new PrintStream(printed, true, StandardCharsets.UTF_8));

        assertEquals(2, results.size());
        assertTrue(Double.isNaN(results.get(0).speedupOverOneThread()), "1 thread has no speedup of its own");
        double speedup = results.get(1).speedupOverOneThread();
        assertTrue(speedup > 0 && Double.isFinite(speedup), "2 threads: " + speedup);

        String table = printed.toString(StandardCharsets.UTF_8);
        assertTrue(table.contains("vs 1 thr"), table);
        assertTrue(table.lines().anyMatch(l -> l.startsWith("ct3d_2x2x2s2_64to32_16") && l.trim().endsWith("x")),
                table);

        JsonNode json = new ObjectMapper().readTree(BenchResult.toJson(results));
        assertFalse(json.get(0).has("speedup_over_1_thread"));
        assertEquals(speedup, json.get(1).get("speedup_over_1_thread").asDouble());
    }

    @Test
    void aRunWithoutOneThreadMeasuresNoSpeedup() {
        List<BenchResult> results = BenchSuite.run(
                new BenchOptions(BenchOptions.QUICK, new int[] {2}, List.of("ct3d_2x2x2s2_64to32_16")),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));

        assertEquals(1, results.size());
        assertTrue(Double.isNaN(results.get(0).speedupOverOneThread()));
    }
}
