package io.convjob.job.model;

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

    private static ModelCache.Key key(long broadcastId) {
        return new ModelCache.Key("app-1", broadcastId);
    }

    @Test
    void sameBroadcastIdOfAnotherApplicationIsAnotherModel() {
        ModelCache cache = new ModelCache(2);
        cache.get(new ModelCache.Key("app-1", 0), build);
        cache.get(new ModelCache.Key("app-2", 0), build);
        assertEquals(2, builds.get());
    }

    @Test
    void buildsOncePerBroadcastId() {
        ModelCache cache = new ModelCache(2);
        Model first = cache.get(key(7), build);
        assertSame(first, cache.get(key(7), build));
        assertEquals(1, builds.get());
        cache.get(key(8), build);
        assertEquals(2, builds.get());
    }

    @Test
    void evictsTheLeastRecentlyUsedAndClears() {
        ModelCache cache = new ModelCache(2);
        cache.get(key(1), build);
        cache.get(key(2), build);
        cache.get(key(1), build); // 2 is now the least recently used
        cache.get(key(3), build);
        assertTrue(cache.contains(key(1)));
        assertFalse(cache.contains(key(2)));
        assertTrue(cache.contains(key(3)));
        cache.clear();
        assertEquals(0, cache.size());
    }
}
