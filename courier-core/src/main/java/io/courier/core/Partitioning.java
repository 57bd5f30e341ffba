package io.courier.core;

/**
 * How a publisher spreads messages that have no key. Messages with a key always go to the partition the key
 * hashes to (Kafka's murmur2), so each key's messages stay in order.
 */
public enum Partitioning {
    /** Kafka's default: fill a batch for one partition, then move on (fewer, larger batches). */
    STICKY,
    /** One partition after the other, message by message (an even spread, smaller batches). */
    ROUND_ROBIN
}
