package io.courier.eventsourcing;

/**
 * An aggregate's state at a version.
 *
 * @param state   the state
 * @param version how many events made it
 * @param <S>     the state type
 */
public record Versioned<S>(S state, long version) {}
