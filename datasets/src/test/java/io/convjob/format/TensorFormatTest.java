package io.convjob.format;

import org.junit.jupiter.api.Test;

import java.util.EnumSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The one list of tensor file formats: what each extension means, and the names options take. */
class TensorFormatTest {

    @Test
    void extensionsInAnyCase() {
        for (String name : new String[] {"part-0.arrow", "x.ARROWS", "y.ipc", "z.Feather", "/data/in/a.arrow"}) {
            assertEquals(TensorFormat.ARROW, TensorFormat.ofFile(name), name);
        }
        assertEquals(TensorFormat.PARQUET, TensorFormat.ofFile("part-00000-abc.snappy.parquet"));
        assertEquals(TensorFormat.NPY, TensorFormat.ofFile("x.NPY"));
        assertNull(TensorFormat.ofFile("rows.csv"));
        assertNull(TensorFormat.ofFile("arrow"));
        assertEquals(TensorFormat.IMAGE, TensorFormat.ofFile("photos/cat.JPEG"));
    }

    @Test
    void namesAmongTheAcceptedFormats() {
        EnumSet<TensorFormat> run = EnumSet.of(TensorFormat.ARROW, TensorFormat.PARQUET);
        assertEquals(TensorFormat.PARQUET, TensorFormat.named("Parquet", run));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TensorFormat.named("npy", run));
        assertEquals("'npy' is not arrow or parquet", e.getMessage());
        assertEquals("arrow, parquet, npy or image", TensorFormat.names(EnumSet.allOf(TensorFormat.class)));
    }
}
