package io.courier.requestreply.internal;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The ids of the most recently completed requests, so that a reply arriving after its request completed counts as
 * late rather than as someone else's. Bounded: the oldest ids are forgotten. Thread-safe.
 */
final class RecentIds {
    private final Map<String, Boolean> ids;

    RecentIds(int capacity) {
        this.ids = new LinkedHashMap<>(1024, 0.75f, false) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                return size() > capacity;
            }
        };
    }

    synchronized void add(String id) {
        ids.put(id, Boolean.TRUE);
    }

    synchronized boolean contains(String id) {
        return ids.containsKey(id);
    }
}
