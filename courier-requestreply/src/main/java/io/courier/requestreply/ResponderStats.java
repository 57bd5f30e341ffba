package io.courier.requestreply;

/**
 * Counters of one responder instance since it started. A reply is counted before it is handed to the producer: a
 * caller that has it sees it counted.
 *
 * @param answered requests answered with a success
 * @param failed   requests answered with a failure (the handler threw or its future failed)
 * @param expired  requests not answered because their deadline had passed (before or while handling)
 */
public record ResponderStats(long answered, long failed, long expired) {}
