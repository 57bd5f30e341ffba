package io.courier.core.internal;

import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.internals.Topic;

/** Kafka's own topic-name rules, with Courier's error message. */
public final class TopicNames {
    private TopicNames() {}

    /**
     * @param name a topic name
     * @throws IllegalArgumentException naming the topic and Kafka's rule it breaks
     */
    public static void requireLegal(String name) {
        if (name == null) {
            throw new IllegalArgumentException("topic name must not be null");
        }
        try {
            Topic.validate(name);
        } catch (InvalidTopicException e) {
            throw new IllegalArgumentException("illegal topic name '" + name + "': " + e.getMessage(), e);
        }
    }
}
