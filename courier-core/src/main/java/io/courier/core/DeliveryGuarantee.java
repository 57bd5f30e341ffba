package io.courier.core;

/**
 * What a publisher or subscriber promises about each message across crashes and retries.
 *
 * <p>{@code acks=all} alone is durability, not exactly-once: a producer that retries after a lost acknowledgement
 * can write a record twice, and a consumer that crashes between handling and committing handles it twice.
 * Exactly-once needs the whole recipe that {@link #EXACTLY_ONCE} applies.
 */
public enum DeliveryGuarantee {
    /**
     * Publisher: {@code acks=0}, no retries. Subscriber: offsets are committed before the messages are handled.
     * A crash loses messages; none is handled twice.
     */
    AT_MOST_ONCE,
    /**
     * Publisher: {@code acks=all}, idempotent, retries. Subscriber: offsets are committed after the messages are
     * handled. A crash redelivers what was handled but not committed; nothing acknowledged is lost.
     */
    AT_LEAST_ONCE,
    /**
     * Publisher: idempotent and transactional. Subscriber: consumes {@code read_committed}, and what a handler
     * publishes is committed in one transaction together with the consumed offsets
     * ({@code sendOffsetsToTransaction}). Readers of the output must use {@code read_committed}.
     */
    EXACTLY_ONCE
}
