package io.convjob.job;

import io.convjob.Model;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The models an executor JVM has built, keyed by the id of the broadcast that carried them, so every task of a
 * job reuses one model (and its prepared kernels) instead of building its own. Bounded: the least recently used
 * model goes first, so a long-lived executor serving many jobs holds only a few.
 */
public final class ModelCache {
    private static final ModelCache SHARED = new ModelCache(4);

    private final Map<Long, Model> models;

    public ModelCache(int capacity) {
        if (capacity < 1) throw new IllegalArgumentException("capacity must be >= 1, got " + capacity);
        this.models = new LinkedHashMap<>(capacity * 2, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Long, Model> eldest) {
                return size() > capacity;
            }
        };
    }

    /** The cache of this JVM, used by the job's tasks. */
    public static ModelCache shared() {
        return SHARED;
    }

    /** The model of broadcast {@code id}, built by {@code build} on first use; concurrent tasks wait for one build. */
    public synchronized Model get(long id, Supplier<Model> build) {
        Model model = models.get(id);
        if (model == null) {
            model = build.get();
            models.put(id, model);
        }
        return model;
    }

    public synchronized boolean contains(long id) {
        return models.containsKey(id);
    }

    public synchronized int size() {
        return models.size();
    }

    /** Forgets every model, e.g. between tests. */
    public synchronized void clear() {
        models.clear();
    }
}
