package io.convjob.sample;

import io.convjob.job.TensorDirs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The committed sample dataset is what the generator writes. */
class SampleDataTest {

    @Test
    void committedSampleEqualsRegenerated(@TempDir Path tmp) {
        SampleData.extract(tmp.resolve("committed"));
        SampleData.generate(tmp.resolve("regenerated"));
        TensorDirs committed = TensorDirs.read(tmp.resolve("committed"));
        TensorDirs regenerated = TensorDirs.read(tmp.resolve("regenerated"));

        assertArrayEquals(new int[] {3, 32, 32}, committed.shape());
        assertEquals(SampleData.FILES * SampleData.ROWS_PER_FILE, committed.rows().size());
        assertEquals(committed.rows().keySet(), regenerated.rows().keySet());
        committed.rows().forEach((id, values) -> assertArrayEquals(regenerated.rows().get(id), values, "id " + id));
        assertEquals(SampleData.value(5, 100), committed.rows().get(5L)[100]);
    }
}
