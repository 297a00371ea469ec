package io.convjob.job.model;

import io.convjob.Model;
import org.apache.spark.broadcast.Broadcast;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The models an executor JVM has built, keyed by application and id of the broadcast that carried them, so every
 * task of a job reuses one model (and its prepared kernels) instead of building its own. The application is part
 * of the key because broadcast ids restart with each SparkContext, and one JVM (local mode) may host several. Bounded: the least recently used
 * model goes first, so a long-lived executor serving many jobs holds only a few.
 */
public final class ModelCache {
    private static final ModelCache SHARED = new ModelCache(4);

    private final Map<Key, Model> models;

    /** A broadcast of one application. */
    public record Key(String applicationId, long broadcastId) {}

    public ModelCache(int capacity) {
        if (capacity < 1) throw new IllegalArgumentException("capacity must be >= 1, got " + capacity);
        this.models = new LinkedHashMap<>(capacity * 2, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Key, Model> eldest) {
                return size() > capacity;
            }
        };
    }

    /**
     * The model that {@code payload} carries, as this JVM's tasks use it: built, its spec parsed, on first use of the
     * broadcast in this JVM, then shared by every task.
     */
    public static Model of(String applicationId, Broadcast<ModelPayload> payload) {
        return SHARED.get(new Key(applicationId, payload.id()), () -> payload.value().toModel());
    }

    /**
     * Files the driver's model under its broadcast, so tasks that run in the driver's JVM (local mode) use it
     * instead of parsing the spec again.
     */
    public static void register(String applicationId, Broadcast<ModelPayload> payload, Model model) {
        SHARED.get(new Key(applicationId, payload.id()), () -> model);
    }

    /** The cache of this JVM, used by the job's tasks. */
    public static ModelCache shared() {
        return SHARED;
    }

    /** The model of broadcast {@code id}, built by {@code build} on first use; concurrent tasks wait for one build. */
    public synchronized Model get(Key id, Supplier<Model> build) {
        Model model = models.get(id);
        if (model == null) {
            model = build.get();
            models.put(id, model);
        }
        return model;
    }

    public synchronized boolean contains(Key id) {
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
