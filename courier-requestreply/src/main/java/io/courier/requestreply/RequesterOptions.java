package io.courier.requestreply;

import static io.courier.common.Preconditions.requireArgument;

import io.courier.core.PublisherOptions;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How a requester instance publishes requests and where it reads replies. Immutable; build with
 * {@link #builder(String)}.
 *
 * @param replyTopic        the reply topic, shared by every instance of the requesting service
 * @param groupId           the consumer group that shares the reply topic's partitions among the instances
 * @param replyPartitions   the partition count used when the reply topic has to be created; at least the number
 *                          of requester instances (an instance without a partition cannot become ready)
 * @param replicationFactor the replication factor used when the reply topic has to be created
 * @param instanceId        a stable id per instance (Kafka static membership): a restarted instance gets its
 *                          partitions back without a rebalance of the others
 * @param readyTimeout      how long {@link Requester#start} waits for reply partitions
 * @param publisherOptions  how requests are published
 */
public record RequesterOptions(String replyTopic, String groupId, int replyPartitions, int replicationFactor,
        Optional<String> instanceId, Duration readyTimeout, PublisherOptions publisherOptions) {

    public RequesterOptions {
        Objects.requireNonNull(replyTopic, "replyTopic");
        Objects.requireNonNull(groupId, "groupId");
        Objects.requireNonNull(instanceId, "instanceId");
        Objects.requireNonNull(readyTimeout, "readyTimeout");
        Objects.requireNonNull(publisherOptions, "publisherOptions");
    }

    /**
     * @param replyTopic the reply topic, for instance {@code checkout.replies}
     * @return a builder with defaults: group {@code <replyTopic>.requesters}, 12 partitions, replication factor 1,
     *     a 30 s ready timeout, at-least-once publishing with {@code linger.ms=0}
     */
    public static Builder builder(String replyTopic) {
        return new Builder(replyTopic);
    }

    /** Collects options; {@link #build()} validates them. Not thread-safe. */
    public static final class Builder {
        private final String replyTopic;
        private String groupId;
        private int replyPartitions = 12;
        private int replicationFactor = 1;
        private String instanceId;
        private Duration readyTimeout = Duration.ofSeconds(30);
        private PublisherOptions publisherOptions = PublisherOptions.builder().linger(Duration.ZERO).build();

        private Builder(String replyTopic) {
            this.replyTopic = replyTopic;
        }

        /** @param groupId the reply consumer group @return this builder */
        public Builder groupId(String groupId) {
            this.groupId = groupId;
            return this;
        }

        /** @param partitions partitions of the reply topic when Courier creates it @return this builder */
        public Builder replyPartitions(int partitions) {
            this.replyPartitions = partitions;
            return this;
        }

        /** @param factor replication factor of the reply topic when Courier creates it @return this builder */
        public Builder replicationFactor(int factor) {
            this.replicationFactor = factor;
            return this;
        }

        /** @param id a stable per-instance id (static group membership) @return this builder */
        public Builder instanceId(String id) {
            this.instanceId = id;
            return this;
        }

        /** @param timeout how long start waits for reply partitions @return this builder */
        public Builder readyTimeout(Duration timeout) {
            this.readyTimeout = timeout;
            return this;
        }

        /** @param options how requests are published @return this builder */
        public Builder publisherOptions(PublisherOptions options) {
            this.publisherOptions = options;
            return this;
        }

        /**
         * @return the options
         * @throws IllegalArgumentException naming the first invalid value
         */
        public RequesterOptions build() {
            requireArgument(replyTopic != null && !replyTopic.isBlank(), "replyTopic must not be blank, but was '%s'",
                    replyTopic);
            requireArgument(groupId == null || !groupId.isBlank(), "groupId must not be blank, but was '%s'", groupId);
            requireArgument(replyPartitions >= 1, "replyPartitions must be at least 1, but was %s", replyPartitions);
            requireArgument(replicationFactor >= 1, "replicationFactor must be at least 1, but was %s",
                    replicationFactor);
            requireArgument(instanceId == null || !instanceId.isBlank(), "instanceId must not be blank, but was '%s'",
                    instanceId);
            requireArgument(readyTimeout != null && !readyTimeout.isNegative() && !readyTimeout.isZero(),
                    "readyTimeout must be positive, but was %s", readyTimeout);
            requireArgument(publisherOptions != null, "publisherOptions must not be null");
            requireArgument(publisherOptions.guarantee() != io.courier.core.DeliveryGuarantee.EXACTLY_ONCE,
                    "publisherOptions.guarantee must be AT_MOST_ONCE or AT_LEAST_ONCE: a request is one message, and "
                            + "its reply can only be read after its transaction commits, but was EXACTLY_ONCE");
            return new RequesterOptions(replyTopic, groupId == null ? replyTopic + ".requesters" : groupId,
                    replyPartitions, replicationFactor, Optional.ofNullable(instanceId), readyTimeout,
                    publisherOptions);
        }
    }
}
