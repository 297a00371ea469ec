package io.convjob.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.convjob.arrow.TensorFileWriter;
import io.convjob.error.InputException;
import io.convjob.storage.Storage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The driver's planning of Arrow tensor files, without a Spark session. */
class TensorScanPlannerTest {

    @Test
    void theFirstFileGivesTheShapeAndThePlanChecksThemAll(@TempDir Path tmp) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("in"));
        try (BufferAllocator allocator = new RootAllocator()) {
            TensorFileWriter.writeFile(dir.resolve("part-00000.arrow"), new long[] {0, 1, 2}, new float[3 * 2 * 4 * 5],
                    new int[] {2, 4, 5}, 2, allocator);
            TensorFileWriter.writeFile(dir.resolve("part-00001.arrow"), new long[] {3, 4}, new float[2 * 2 * 4 * 5],
                    new int[] {2, 4, 5}, 2, allocator);
        }
        TensorSourceOptions options = TensorSourceOptions.forPaths(List.of(dir.toString()), "tensor", null, false);
        assertArrayEquals(new int[] {2, 4, 5}, TensorScanPlanner.firstFileShape(Storage.standard(), options));

        TensorScanPlanner plan = TensorScanPlanner.planOutsideSql(Storage.standard(), options);
        assertEquals(2, plan.partitions().size(), "one partition per file (the default: whole files)");
        assertArrayEquals(new int[] {2, 4, 5}, TensorSchemas.shapeOf(plan.schema().apply("tensor")));
        assertEquals(plan.schema(), TensorScanPlanner.plan(Storage.standard(), options).schema());

        Path empty = Files.createDirectories(tmp.resolve("empty"));
        InputException none = assertThrows(InputException.class, () -> TensorScanPlanner.firstFileShape(Storage.standard(),
                TensorSourceOptions.forPaths(List.of(empty.toString()), "tensor", null, false)));
        assertEquals("arrow-tensor: no Arrow files in " + empty, none.getMessage());
    }
}
