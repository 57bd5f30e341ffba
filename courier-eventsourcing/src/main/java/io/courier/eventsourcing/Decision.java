package io.courier.eventsourcing;

import java.util.List;
import java.util.Objects;

/**
 * What an aggregate's command handler decided: the events to append, or why the command is refused.
 *
 * @param <E> the event type
 */
public sealed interface Decision<E> permits Decision.Accept, Decision.Reject {

    /**
     * Append these events, in order; an empty list accepts the command without changing anything.
     *
     * @param events the events
     * @param <E>    the event type
     */
    record Accept<E>(List<E> events) implements Decision<E> {
        public Accept {
            events = List.copyOf(events);
        }
    }

    /**
     * Refuse the command; nothing is appended.
     *
     * @param reason why, for the caller
     * @param <E>    the event type
     */
    record Reject<E>(String reason) implements Decision<E> {
        public Reject {
            Objects.requireNonNull(reason, "reason");
        }
    }

    /** @param event the event to append @param <E> the event type @return an acceptance */
    static <E> Decision<E> accept(E event) {
        return new Accept<>(List.of(event));
    }

    /** @param events the events to append, in order @param <E> the event type @return an acceptance */
    static <E> Decision<E> accept(List<E> events) {
        return new Accept<>(events);
    }

    /** @param reason why the command is refused @param <E> the event type @return a rejection */
    static <E> Decision<E> reject(String reason) {
        return new Reject<>(reason);
    }
}
