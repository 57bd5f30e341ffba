package io.courier.eventsourcing;

import static io.courier.common.Preconditions.requireArgument;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * How a command processor runs. Immutable; build with {@link #builder(String)}. The canonical constructor validates
 * like {@link Builder#build()}.
 *
 * @param applicationId     Kafka Streams' {@code application.id}: instances with the same id share the partitions
 * @param threads           stream threads in this instance
 * @param commitInterval    how often transactions commit; a command's reply is visible once its transaction
 *                          commits. Not longer than the transaction timeout of the processor's producers (10 s under
 *                          {@code exactly_once_v2} unless the client property {@code producer.transaction.timeout.ms}
 *                          or {@code transaction.timeout.ms} says otherwise): {@link CommandProcessor#start} refuses it
 * @param stateDirectory    where Kafka Streams keeps local state; a temporary directory when empty
 * @param replicationFactor replicas of every topic the processor creates: the commands and events topics, and the
 *                          state changelog. An existing topic with another replication factor makes
 *                          {@link CommandProcessor#start} fail, naming both. When empty, the commands and events
 *                          topics get 1, and the changelog Kafka Streams' default (the brokers'
 *                          {@code default.replication.factor}, or a {@code replication.factor} client property);
 *                          a lost changelog the processor re-creates gets the events topic's
 */
public record ProcessorOptions(String applicationId, int threads, Duration commitInterval,
        Optional<Path> stateDirectory, OptionalInt replicationFactor) {

    public ProcessorOptions {
        // Here, not only in build(): the canonical constructor is public, and must not make options build() refuses.
        requireArgument(applicationId != null && applicationId.matches("[A-Za-z0-9._-]+"),
                "applicationId must be letters, digits, '.', '_' or '-', but was '%s'", applicationId);
        requireArgument(threads >= 1, "threads must be at least 1, but was %s", threads);
        requireArgument(commitInterval != null && !commitInterval.isNegative() && !commitInterval.isZero()
                && commitInterval.compareTo(Duration.ofMillis(Integer.MAX_VALUE)) <= 0,
                "commitInterval must be positive and at most %s, but was %s", Duration.ofMillis(Integer.MAX_VALUE),
                commitInterval);
        Objects.requireNonNull(stateDirectory, "stateDirectory");
        Objects.requireNonNull(replicationFactor, "replicationFactor");
        replicationFactor.ifPresent(rf -> requireArgument(rf >= 1 && rf <= Short.MAX_VALUE,
                "replicationFactor must be from 1 to 32767, but was %s", rf));
    }

    /**
     * @param applicationId the processor's Kafka Streams application id, for instance {@code account-processor}
     * @return a builder: 1 thread, 100 ms commit interval (Kafka Streams' exactly-once default), no replication
     *     factor (the commands and events topics get 1)
     */
    public static Builder builder(String applicationId) {
        return new Builder(applicationId);
    }

    /** Collects options; {@link #build()} validates them. Not thread-safe. */
    public static final class Builder {
        private final String applicationId;
        private int threads = 1;
        private Duration commitInterval = Duration.ofMillis(100);
        private Path stateDirectory;
        private Integer replicationFactor;

        private Builder(String applicationId) {
            this.applicationId = applicationId;
        }

        /** @param threads stream threads @return this builder */
        public Builder threads(int threads) {
            this.threads = threads;
            return this;
        }

        /**
         * @param interval the transaction commit interval, positive and not longer than the producers' transaction
         *                 timeout (10 s unless {@code producer.transaction.timeout.ms} or {@code transaction.timeout.ms}
         *                 is set)
         * @return this builder
         */
        public Builder commitInterval(Duration interval) {
            this.commitInterval = interval;
            return this;
        }

        /** @param directory the local state directory @return this builder */
        public Builder stateDirectory(Path directory) {
            this.stateDirectory = directory;
            return this;
        }

        /**
         * @param replicationFactor replicas of the topics the processor creates, 1 to 32767; unset, the commands and
         *                          events topics get 1, which suits a single-broker development cluster only: use 3
         *                          in production
         * @return this builder
         */
        public Builder replicationFactor(int replicationFactor) {
            this.replicationFactor = replicationFactor;
            return this;
        }

        /**
         * @return the options
         * @throws IllegalArgumentException naming the first invalid value
         */
        public ProcessorOptions build() {
            return new ProcessorOptions(applicationId, threads, commitInterval, Optional.ofNullable(stateDirectory),
                    replicationFactor == null ? OptionalInt.empty() : OptionalInt.of(replicationFactor));
        }
    }
}
