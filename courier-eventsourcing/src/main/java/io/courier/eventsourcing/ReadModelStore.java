package io.courier.eventsourcing;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where a projection keeps its read models: in memory by default, or a database of your own. Implementations
 * must be thread-safe: the projection writes from its consumer thread while queries read from any thread.
 *
 * @param <V> the read model type
 */
public interface ReadModelStore<V> {

    /** @param aggregateId an aggregate @return its read model, if any */
    Optional<V> get(String aggregateId);

    /** @param aggregateId an aggregate @param model its new read model */
    void put(String aggregateId, V model);

    /** @param aggregateId an aggregate whose read model goes away */
    void remove(String aggregateId);

    /** Forgets every read model (a projection reset). */
    void clear();

    /** @return a snapshot of every read model */
    Map<String, V> all();

    /**
     * @param <V> the read model type
     * @return a store in a {@link ConcurrentHashMap}, lost when the process ends (the projection rebuilds it from
     *     the events topic when it starts)
     */
    static <V> ReadModelStore<V> inMemory() {
        Map<String, V> map = new ConcurrentHashMap<>();
        return new ReadModelStore<>() {
            @Override
            public Optional<V> get(String aggregateId) {
                return Optional.ofNullable(map.get(aggregateId));
            }

            @Override
            public void put(String aggregateId, V model) {
                map.put(aggregateId, model);
            }

            @Override
            public void remove(String aggregateId) {
                map.remove(aggregateId);
            }

            @Override
            public void clear() {
                map.clear();
            }

            @Override
            public Map<String, V> all() {
                return Map.copyOf(map);
            }
        };
    }
}
