package io.courier.requestreply;

import static io.courier.common.Preconditions.requireArgument;

import io.courier.core.GroupProtocol;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * How a responder instance consumes requests. Immutable; build with {@link #builder(String)}.
 *
 * <p>A responder group reads its request topic from the beginning the first time it starts, so requests sent
 * while no responder was running are answered when one starts (those whose deadline has passed are skipped).
 *
 * @param groupId       the consumer group shared by the responder instances
 * @param concurrency   consumer threads in this instance, at most the request topic's partition count; each
 *                      handles one request at a time
 * @param instanceId    names this instance in client ids, if given
 * @param groupProtocol the consumer group protocol
 * @param consumerProperties raw Kafka consumer settings applied last (the escape hatch), for instance
 *                      {@code session.timeout.ms}
 * @param handlingTimeout how long the responder waits for the handler's asynchronous answer, whatever the
 *                      caller's deadline (a request sent by a plain Kafka client carries none): past it the caller
 *                      gets a failure reply, and the partition moves on. Shorter than {@code max.poll.interval.ms}.
 *                      Work the handler does synchronously, before it returns its stage, is not bounded
 */
public record ResponderOptions(String groupId, int concurrency, Optional<String> instanceId,
        GroupProtocol groupProtocol, Map<String, String> consumerProperties, Duration handlingTimeout) {

    public ResponderOptions {
        Objects.requireNonNull(groupId, "groupId");
        Objects.requireNonNull(instanceId, "instanceId");
        Objects.requireNonNull(groupProtocol, "groupProtocol");
        Objects.requireNonNull(handlingTimeout, "handlingTimeout");
        consumerProperties = Map.copyOf(consumerProperties);
    }

    /**
     * @param groupId the responder group, for instance {@code pricing}
     * @return a builder with one thread, the classic group protocol and a handling timeout of 60 s
     */
    public static Builder builder(String groupId) {
        return new Builder(groupId);
    }

    /** Collects options; {@link #build()} validates them. Not thread-safe. */
    public static final class Builder {
        private final String groupId;
        private int concurrency = 1;
        private String instanceId;
        private GroupProtocol groupProtocol = GroupProtocol.CLASSIC;
        private final Map<String, String> consumerProperties = new LinkedHashMap<>();
        private Duration handlingTimeout = Duration.ofSeconds(60);

        private Builder(String groupId) {
            this.groupId = groupId;
        }

        /** @param threads consumer threads, at least 1 @return this builder */
        public Builder concurrency(int threads) {
            this.concurrency = threads;
            return this;
        }

        /** @param id names this instance in client ids: letters, digits, ., _ or - @return this builder */
        public Builder instanceId(String id) {
            this.instanceId = id;
            return this;
        }

        /** @param protocol the group protocol @return this builder */
        public Builder groupProtocol(GroupProtocol protocol) {
            this.groupProtocol = protocol;
            return this;
        }

        /**
         * @param timeout how long the responder waits for a handler's asynchronous answer, whatever the caller's
         *                deadline (a request from a plain Kafka client carries none), positive and below the
         *                consumer's {@code max.poll.interval.ms} (5 minutes unless set), past which the group would
         *                evict the instance; a handler that works synchronously, on the consumer's thread, is not
         *                bounded by it
         * @return this builder
         */
        public Builder handlingTimeout(Duration timeout) {
            this.handlingTimeout = timeout;
            return this;
        }

        /**
         * @param key   a Kafka consumer config key
         * @param value its value
         * @return this builder
         */
        public Builder consumerProperty(String key, String value) {
            consumerProperties.put(key, value);
            return this;
        }

        /**
         * @return the options
         * @throws IllegalArgumentException naming the first invalid value
         */
        public ResponderOptions build() {
            requireArgument(groupId != null && !groupId.isBlank(), "groupId must not be blank, but was '%s'", groupId);
            requireArgument(concurrency >= 1, "concurrency must be at least 1, but was %s", concurrency);
            requireArgument(instanceId == null || !instanceId.isBlank(), "instanceId must not be blank, but was '%s'",
                    instanceId);
            requireArgument(groupProtocol != null, "groupProtocol must not be null");
            requireArgument(handlingTimeout != null && handlingTimeout.toMillis() > 0,
                    "handlingTimeout must be at least 1 ms, but was %s", handlingTimeout);
            long maxPoll = maxPollInterval();
            requireArgument(handlingTimeout.toMillis() < maxPoll, "handlingTimeout must be shorter than "
                    + "max.poll.interval.ms=%s, past which the group would evict this instance, but was %s", maxPoll,
                    handlingTimeout);
            return new ResponderOptions(groupId, concurrency, Optional.ofNullable(instanceId), groupProtocol,
                    consumerProperties, handlingTimeout);
        }

        private long maxPollInterval() {
            String set = consumerProperties.get("max.poll.interval.ms");
            if (set == null) {
                return 300_000;
            }
            try {
                return Long.parseLong(set.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("max.poll.interval.ms must be a number of milliseconds, but was '"
                        + set + "'", e);
            }
        }
    }
}
