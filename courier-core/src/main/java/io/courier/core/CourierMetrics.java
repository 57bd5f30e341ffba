package io.courier.core;

/**
 * Receives Courier's measurements. The default does nothing; {@code courier-micrometer} or your own
 * implementation records them. Implementations must be thread-safe and fast: they are called on publishing and
 * consuming threads.
 */
public interface CourierMetrics {

    /** A publisher that records nothing. */
    CourierMetrics NOOP = new CourierMetrics() {};

    /**
     * A publisher's message was acknowledged, and, by an {@code EXACTLY_ONCE} publisher, its transaction committed.
     *
     * @param topic the topic @param nanos from send to acknowledgement
     */
    default void published(String topic, long nanos) {}

    /**
     * A publisher's message was refused, or its transaction aborted; or a dead letter was refused (then
     * {@code topic} is the dead-letter topic).
     *
     * @param topic the topic @param error why the publish failed
     */
    default void publishFailed(String topic, Throwable error) {}

    /**
     * A message was handled and is settled: its follow-ups acknowledged, or its transaction committed.
     *
     * @param topic the topic @param group the consumer group @param nanos handler time
     */
    default void handled(String topic, String group, long nanos) {}

    /**
     * An attempt at a message failed: its handler threw, or its follow-ups were refused.
     *
     * @param topic the topic @param group the consumer group @param attempt the attempt that failed
     */
    default void handlerFailed(String topic, String group, int attempt) {}

    /**
     * A message went to the dead-letter topic: the dead letter was acknowledged, and under {@code EXACTLY_ONCE}
     * committed.
     *
     * @param topic the original topic @param group the consumer group
     */
    default void deadLettered(String topic, String group) {}
}
