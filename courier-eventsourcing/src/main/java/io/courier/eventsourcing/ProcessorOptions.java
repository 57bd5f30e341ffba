package io.courier.eventsourcing;

import static io.courier.common.Preconditions.requireArgument;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How a command processor runs. Immutable; build with {@link #builder(String)}.
 *
 * @param applicationId  Kafka Streams' {@code application.id}: instances with the same id share the partitions
 * @param threads        stream threads in this instance
 * @param commitInterval how often transactions commit; a command's reply is visible once its transaction commits
 * @param stateDirectory where Kafka Streams keeps local state; a temporary directory when empty
 */
public record ProcessorOptions(String applicationId, int threads, Duration commitInterval,
        Optional<Path> stateDirectory) {

    public ProcessorOptions {
        Objects.requireNonNull(applicationId, "applicationId");
        Objects.requireNonNull(commitInterval, "commitInterval");
        Objects.requireNonNull(stateDirectory, "stateDirectory");
    }

    /**
     * @param applicationId the processor's Kafka Streams application id, for instance {@code account-processor}
     * @return a builder: 1 thread, 100 ms commit interval (Kafka Streams' exactly-once default)
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

        private Builder(String applicationId) {
            this.applicationId = applicationId;
        }

        /** @param threads stream threads @return this builder */
        public Builder threads(int threads) {
            this.threads = threads;
            return this;
        }

        /** @param interval the transaction commit interval @return this builder */
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
         * @return the options
         * @throws IllegalArgumentException naming the first invalid value
         */
        public ProcessorOptions build() {
            requireArgument(applicationId != null && applicationId.matches("[A-Za-z0-9._-]+"),
                    "applicationId must be letters, digits, '.', '_' or '-', but was '%s'", applicationId);
            requireArgument(threads >= 1, "threads must be at least 1, but was %s", threads);
            requireArgument(commitInterval != null && !commitInterval.isNegative() && !commitInterval.isZero(),
                    "commitInterval must be positive, but was %s", commitInterval);
            return new ProcessorOptions(applicationId, threads, commitInterval, Optional.ofNullable(stateDirectory));
        }
    }
}
