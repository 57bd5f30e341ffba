package io.courier.core;

/** The consumer group protocol a subscriber uses. */
public enum GroupProtocol {
    /** The classic protocol, where the group leader computes assignments. Works with every broker. */
    CLASSIC,
    /** The new protocol of KIP-848, where the broker computes assignments incrementally. Needs Kafka 4.0+. */
    CONSUMER
}
