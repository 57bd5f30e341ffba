package io.courier.eventsourcing;

import io.courier.core.Courier;
import io.courier.eventsourcing.internal.EventReplayer;
import java.util.Map;

/** Rebuilds aggregate states from the events topic alone. */
public final class Replay {
    private Replay() {}

    /**
     * The result of a rebuild.
     *
     * @param states          every aggregate's state and version
     * @param events          events read
     * @param duplicateEvents events whose version is not above the last one applied to their aggregate (a repeated
     *                        (aggregate, version) pair): 0 on a healthy event store
     * @param eventsPerSecond replay rate
     * @param <S>             the state type
     */
    public record Result<S>(Map<String, Versioned<S>> states, long events, long duplicateEvents,
            double eventsPerSecond) {
        public Result {
            states = Map.copyOf(states);
        }
    }

    /**
     * Reads the events topic from its beginning to its current end ({@code read_committed}), upcasting old events,
     * and applies them in order.
     *
     * @param courier   the connection
     * @param aggregate the aggregate type
     * @param <S>       the state type
     * @return the states
     * @throws io.courier.common.CourierException naming the record if an event cannot be read
     */
    public static <S> Result<S> rebuild(Courier courier, Aggregate<S, ?, ?> aggregate) {
        return EventReplayer.replay(courier, aggregate);
    }
}
