package io.courier.eventsourcing;

/**
 * Folds an aggregate's events into a read model.
 *
 * @param <V> the read model type
 * @param <E> the event type
 */
@FunctionalInterface
public interface Projector<V, E> {
    /**
     * @param current     the aggregate's read model so far, or {@code null} before its first event
     * @param aggregateId the aggregate
     * @param event       the next event, upcast to the current schema
     * @return the new read model; {@code null} removes it
     */
    V apply(V current, String aggregateId, E event);
}
