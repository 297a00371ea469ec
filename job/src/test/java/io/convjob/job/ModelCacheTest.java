package io.convjob.job;

import io.convjob.Model;
import io.convjob.spec.SpecParser;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelCacheTest {

    private static final String SPEC = "{\"layer\": \"Conv\", \"num_spatial_dims\": 1, \"in_channels\": 1,"
            + " \"out_channels\": 1, \"kernel_size\": 1, \"key\": 0}";

    private final AtomicInteger builds = new AtomicInteger();
    private final Supplier<Model> build = () -> {
        builds.incrementAndGet();
        return Model.fromSpec(SpecParser.parse(SPEC));
    };

    @Test
    void buildsOncePerBroadcastId() {
        ModelCache cache = new ModelCache(2);
        Model first = cache.get(7, build);
        assertSame(first, cache.get(7, build));
        assertEquals(1, builds.get());
        cache.get(8, build);
        assertEquals(2, builds.get());
    }

    @Test
    void evictsTheLeastRecentlyUsedAndClears() {
        ModelCache cache = new ModelCache(2);
        cache.get(1, build);
        cache.get(2, build);
        cache.get(1, build); // 2 is now the least recently used
        cache.get(3, build);
        assertTrue(cache.contains(1));
        assertFalse(cache.contains(2));
        assertTrue(cache.contains(3));
        cache.clear();
        assertEquals(0, cache.size());
    }
}
