package io.courier.bench.workload;

import static io.courier.common.Preconditions.requireArgument;

import io.courier.core.Compression;
import io.courier.common.Durations;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * One produce/consume workload, over the parameters that decide Kafka's performance. Immutable; build with
 * {@link #builder()}, which validates every value. Field names are the JSON report's {@code workload} object.
 *
 * @param name              a label for reports
 * @param topics            number of topics
 * @param partitions        partitions per topic
 * @param replicationFactor replication factor of each topic
 * @param producers         producer threads (each its own producer), spread over the topics
 * @param consumers         consumers per group and topic (as OpenMessaging Benchmark counts them); 0 measures
 *                          publishing alone
 * @param consumerGroups    consumer groups, each reading every topic
 * @param messageSize       value size in bytes
 * @param keys              key distribution
 * @param compression       compression codec
 * @param delivery          acks or guarantee
 * @param batchSize         Kafka's {@code batch.size} in bytes
 * @param lingerMs          Kafka's {@code linger.ms}
 * @param rate              target messages per second over all producers; 0 is unlimited
 * @param messages          messages to publish in the measured phase; 0 means run for {@code duration}
 * @param duration          how long the measured phase publishes when {@code messages} is 0
 * @param warmup            how long to publish before measuring
 */
public record Workload(String name, int topics, int partitions, int replicationFactor, int producers, int consumers,
        int consumerGroups, int messageSize, Keys keys, Compression compression, Delivery delivery, int batchSize,
        int lingerMs, int rate, long messages, Duration duration, Duration warmup) {

    /** The parameters {@code --sweep} can vary, by their flag names. */
    public static final List<String> SWEEPABLE = List.of("topics", "partitions", "replication-factor", "producers",
            "consumers", "consumer-groups", "message-size", "keys", "compression", "acks", "guarantee", "batch-size",
            "linger-ms", "rate");

    public Workload {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(keys, "keys");
        Objects.requireNonNull(compression, "compression");
        Objects.requireNonNull(delivery, "delivery");
        Objects.requireNonNull(duration, "duration");
        Objects.requireNonNull(warmup, "warmup");
    }

    /** @return a builder with the defaults: 1 topic of 1 partition, 1 producer, 1 consumer, 1 KB, 100k messages */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a builder holding this workload's values */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.name = name;
        b.topics = topics;
        b.partitions = partitions;
        b.replicationFactor = replicationFactor;
        b.producers = producers;
        b.consumers = consumers;
        b.consumerGroups = consumerGroups;
        b.messageSize = messageSize;
        b.keys = keys;
        b.compression = compression;
        b.delivery = delivery;
        b.batchSize = batchSize;
        b.lingerMs = lingerMs;
        b.rate = rate;
        b.messages = messages;
        b.duration = duration;
        b.warmup = warmup;
        return b;
    }

    /** @return whether latency is measured at a fixed rate (from each message's intended send time) */
    public boolean fixedRate() {
        return rate > 0;
    }

    /** Collects values; {@link #build()} validates them. Not thread-safe. */
    public static final class Builder {
        private String name = "workload";
        private int topics = 1;
        private int partitions = 1;
        private int replicationFactor = 1;
        private int producers = 1;
        private int consumers = 1;
        private int consumerGroups = 1;
        private int messageSize = 1024;
        private Keys keys = Keys.parse("none");
        private Compression compression = Compression.NONE;
        private Delivery delivery = Delivery.ACKS_ALL;
        private int batchSize = 16384;
        private int lingerMs = 5;
        private int rate;
        private long messages = 100_000;
        private Duration duration = Duration.ofSeconds(30);
        private Duration warmup = Duration.ofSeconds(5);

        private Builder() {}

        /**
         * Sets a parameter by its command-line flag name (without {@code --}), as {@code --sweep} and workload files
         * do.
         *
         * @param parameter the flag name, for instance {@code message-size}
         * @param value     the value as text
         * @return this builder
         * @throws IllegalArgumentException naming the parameter and the value when either is not understood
         */
        public Builder set(String parameter, String value) {
            String v = value == null ? "" : value.trim();
            switch (parameter) {
                case "name" -> name = v;
                case "topics" -> topics = number(parameter, v);
                case "partitions" -> partitions = number(parameter, v);
                case "replication-factor" -> replicationFactor = number(parameter, v);
                case "producers" -> producers = number(parameter, v);
                case "consumers" -> consumers = number(parameter, v);
                case "consumer-groups" -> consumerGroups = number(parameter, v);
                case "message-size" -> messageSize = number(parameter, v);
                case "keys" -> keys = Keys.parse(v);
                case "compression" -> compression = compression(v);
                case "acks" -> delivery = Delivery.ofAcks(v);
                case "guarantee" -> delivery = Delivery.ofGuarantee(v);
                case "batch-size" -> batchSize = number(parameter, v);
                case "linger-ms" -> lingerMs = number(parameter, v);
                case "rate" -> rate = number(parameter, v);
                case "messages" -> {
                    messages = longNumber(parameter, v);
                }
                case "duration" -> {
                    duration = Durations.parse(parameter, v);
                    messages = 0;
                }
                case "warmup" -> warmup = Durations.parse(parameter, v);
                default -> throw new IllegalArgumentException("unknown workload parameter '" + parameter
                        + "'; known: name, messages, duration, warmup, " + String.join(", ", SWEEPABLE));
            }
            return this;
        }

        private static int number(String parameter, String v) {
            long n = longNumber(parameter, v);
            if (n > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(parameter + " must be at most " + Integer.MAX_VALUE + ", but was " + v);
            }
            return (int) n;
        }

        private static long longNumber(String parameter, String v) {
            try {
                return Long.parseLong(v.replace("_", ""));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(parameter + " must be a whole number, but was '" + v + "'", e);
            }
        }

        private static Compression compression(String v) {
            try {
                return Compression.valueOf(v.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("compression must be one of none, gzip, snappy, lz4, zstd, but was '"
                        + v + "'", e);
            }
        }

        /**
         * @return the workload
         * @throws IllegalArgumentException naming the first invalid value and what is expected
         */
        public Workload build() {
            requireArgument(name != null && !name.isBlank(), "name must not be blank, but was '%s'", name);
            requireArgument(topics >= 1, "topics must be at least 1, but was %s", topics);
            requireArgument(partitions >= 1, "partitions must be at least 1, but was %s", partitions);
            requireArgument(replicationFactor >= 1, "replication-factor must be at least 1, but was %s", replicationFactor);
            requireArgument(producers >= 1, "producers must be at least 1, but was %s", producers);
            requireArgument(consumers >= 0, "consumers must be 0 (publish only) or more, but was %s", consumers);
            requireArgument(consumers <= partitions, "consumers (%s per group and topic) must not exceed the "
                    + "partitions of a topic (%s): the extra consumers would sit idle", consumers, partitions);
            requireArgument(consumerGroups >= 1, "consumer-groups must be at least 1, but was %s", consumerGroups);
            requireArgument(messageSize >= 16, "message-size must be at least 16 bytes (the send time and a sequence "
                    + "number travel in the value), but was %s", messageSize);
            requireArgument(batchSize >= 0, "batch-size must be 0 or more bytes, but was %s", batchSize);
            requireArgument(lingerMs >= 0, "linger-ms must be 0 or more, but was %s", lingerMs);
            requireArgument(rate >= 0, "rate must be 0 (unlimited) or more messages/s, but was %s", rate);
            requireArgument(messages >= 0, "messages must be 0 or more, but was %s", messages);
            requireArgument(messages > 0 || (!duration.isNegative() && !duration.isZero()),
                    "duration must be positive when no message count is given, but was %s", duration);
            requireArgument(!warmup.isNegative(), "warmup must be zero or more, but was %s", warmup);
            return new Workload(name, topics, partitions, replicationFactor, producers, consumers, consumerGroups,
                    messageSize, keys, compression, delivery, batchSize, lingerMs, rate, messages, duration, warmup);
        }
    }

    /** @return a one-line summary for console output */
    public String describe() {
        return String.format(Locale.ROOT, "%s: %d topic(s) x %d partition(s), rf %d, %d producer(s), %d consumer(s) x %d "
                        + "group(s), %d B, keys %s, %s, %s, batch %d B, linger %d ms, %s, %s", name, topics, partitions,
                replicationFactor, producers, consumers, consumerGroups, messageSize, keys,
                compression.kafkaName(), delivery, batchSize, lingerMs, rate == 0 ? "unlimited rate" : rate + " msg/s",
                messages > 0 ? messages + " messages" : "for " + Durations.format(duration));
    }

}
