package io.courier.core;

/**
 * Receives Courier's measurements. The default does nothing; {@code courier-micrometer} or your own
 * implementation records them. Implementations must be thread-safe and fast: they are called on publishing and
 * consuming threads.
 */
public interface CourierMetrics {

    /** A publisher that records nothing. */
    CourierMetrics NOOP = new CourierMetrics() {};

    /** @param topic the topic @param nanos from send to acknowledgement */
    default void published(String topic, long nanos) {}

    /** @param topic the topic @param error why the publish failed */
    default void publishFailed(String topic, Throwable error) {}

    /** @param topic the topic @param group the consumer group @param nanos handler time */
    default void handled(String topic, String group, long nanos) {}

    /** @param topic the topic @param group the consumer group @param attempt the attempt that failed */
    default void handlerFailed(String topic, String group, int attempt) {}

    /** @param topic the original topic @param group the consumer group */
    default void deadLettered(String topic, String group) {}
}
