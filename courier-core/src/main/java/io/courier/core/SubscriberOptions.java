package io.courier.core;

import static io.courier.common.Preconditions.requireArgument;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * How a subscriber consumes: its consumer group, guarantee, threads, group protocol, retries, dead-letter topic,
 * and raw consumer settings as an escape hatch. Immutable and thread-safe; build with {@link #builder(String)}.
 *
 * @param groupId            the consumer group; instances with the same group share the partitions
 * @param guarantee          the delivery guarantee
 * @param concurrency        consumer threads in this instance, each with its own partitions (at most the
 *                           partition count)
 * @param groupProtocol      the group protocol
 * @param retry              the retry policy for failing handlers
 * @param deadLetterTopic    where failed messages go; empty means {@code <topic>.dlt}
 * @param fromBeginning      where a new group starts: the earliest offset, or only new messages
 * @param maxPollRecords     Kafka's {@code max.poll.records}
 * @param instanceId         names this instance in client ids and, for {@link DeliveryGuarantee#EXACTLY_ONCE},
 *                           in transactional ids: give a restarted instance the same id (a pod name, say) and it
 *                           fences its killed predecessor at once; two live instances must not share one
 * @param consumerProperties raw Kafka consumer settings applied last; checked against the guarantee
 */
public record SubscriberOptions(String groupId, DeliveryGuarantee guarantee, int concurrency,
        GroupProtocol groupProtocol, RetryPolicy retry, Optional<String> deadLetterTopic, boolean fromBeginning,
        int maxPollRecords, String instanceId, Map<String, String> consumerProperties) {

    public SubscriberOptions {
        Objects.requireNonNull(groupId, "groupId");
        Objects.requireNonNull(guarantee, "guarantee");
        Objects.requireNonNull(groupProtocol, "groupProtocol");
        Objects.requireNonNull(retry, "retry");
        Objects.requireNonNull(deadLetterTopic, "deadLetterTopic");
        Objects.requireNonNull(instanceId, "instanceId");
        consumerProperties = Map.copyOf(consumerProperties);
    }

    /**
     * @param groupId the consumer group id
     * @return a builder with at-least-once, 1 thread, the classic protocol, default retries, start from the beginning
     */
    public static Builder builder(String groupId) {
        return new Builder(groupId);
    }

    /** @param topic the subscribed topic @return the dead-letter topic's name */
    public String deadLetterTopicFor(String topic) {
        return deadLetterTopic.orElse(topic + ".dlt");
    }

    /** Collects options; {@link #build()} validates them. Not thread-safe. */
    public static final class Builder {
        private final String groupId;
        private DeliveryGuarantee guarantee = DeliveryGuarantee.AT_LEAST_ONCE;
        private int concurrency = 1;
        private GroupProtocol groupProtocol = GroupProtocol.CLASSIC;
        private RetryPolicy retry = RetryPolicy.defaults();
        private String deadLetterTopic;
        private boolean fromBeginning = true;
        private int maxPollRecords = 500;
        private String instanceId = java.util.UUID.randomUUID().toString().substring(0, 8);
        private final Map<String, String> consumerProperties = new LinkedHashMap<>();

        private Builder(String groupId) {
            this.groupId = groupId;
        }

        /** @param guarantee the delivery guarantee @return this builder */
        public Builder guarantee(DeliveryGuarantee guarantee) {
            this.guarantee = guarantee;
            return this;
        }

        /** @param threads consumer threads in this instance, 1 to the partition count @return this builder */
        public Builder concurrency(int threads) {
            this.concurrency = threads;
            return this;
        }

        /** @param protocol the group protocol @return this builder */
        public Builder groupProtocol(GroupProtocol protocol) {
            this.groupProtocol = protocol;
            return this;
        }

        /** @param retry the retry policy @return this builder */
        public Builder retry(RetryPolicy retry) {
            this.retry = retry;
            return this;
        }

        /** @param topic the dead-letter topic instead of {@code <topic>.dlt} @return this builder */
        public Builder deadLetterTopic(String topic) {
            this.deadLetterTopic = topic;
            return this;
        }

        /** @param fromBeginning whether a new group starts at the earliest offset (else: only new messages) @return this builder */
        public Builder fromBeginning(boolean fromBeginning) {
            this.fromBeginning = fromBeginning;
            return this;
        }

        /** @param records Kafka's {@code max.poll.records}, at least 1 @return this builder */
        public Builder maxPollRecords(int records) {
            this.maxPollRecords = records;
            return this;
        }

        /** @param id this instance's stable name, letters, digits, '.', '_' or '-' @return this builder */
        public Builder instanceId(String id) {
            this.instanceId = id;
            return this;
        }

        /**
         * @param key   a Kafka consumer config key; not {@code group.id} or {@code group.protocol}, which the options
         *              set; a {@code group.instance.id} gets each thread's index appended, as Kafka Streams does
         * @param value its value
         * @return this builder
         * @throws IllegalArgumentException for a key that these options set
         */
        public Builder consumerProperty(String key, String value) {
            Objects.requireNonNull(key, "key");
            if (key.equals("group.id") || key.equals("group.protocol")) {
                throw new IllegalArgumentException("consumer property " + key + "=" + value + " is set by the options: "
                        + (key.equals("group.id") ? "use SubscriberOptions.builder(groupId)" : "use groupProtocol(...)"));
            }
            consumerProperties.put(key, Objects.requireNonNull(value, "value"));
            return this;
        }

        /**
         * @return the options
         * @throws IllegalArgumentException naming the value that is out of range
         */
        public SubscriberOptions build() {
            requireArgument(groupId != null && !groupId.isBlank(), "a subscriber needs a consumer group id");
            requireArgument(concurrency >= 1, "concurrency must be at least 1 thread, but was %d", concurrency);
            requireArgument(maxPollRecords >= 1, "max poll records must be at least 1, but was %d", maxPollRecords);
            requireArgument(instanceId != null && instanceId.matches("[A-Za-z0-9._-]+"),
                    "instance id must be letters, digits, '.', '_' or '-', but was '%s'", instanceId);
            if (deadLetterTopic != null) {
                io.courier.core.internal.TopicNames.requireLegal(deadLetterTopic);
            }
            return new SubscriberOptions(groupId, guarantee, concurrency, groupProtocol, retry,
                    Optional.ofNullable(deadLetterTopic), fromBeginning, maxPollRecords, instanceId, consumerProperties);
        }
    }
}
