package io.courier.eventsourcing.internal;

import io.courier.common.CourierException;
import io.courier.common.CourierRetriableException;
import io.courier.common.Durations;
import io.courier.core.ClientFactory;
import io.courier.core.Courier;
import io.courier.core.CourierConfig;
import io.courier.core.Serdes;
import io.courier.core.Topic;
import io.courier.eventsourcing.Aggregate;
import io.courier.eventsourcing.CommandProcessor;
import io.courier.eventsourcing.ProcessorOptions;
import io.courier.eventsourcing.Versioned;
import io.courier.requestreply.internal.ReplyTargets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaClientSupplier;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.apache.kafka.streams.processor.StreamPartitioner;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The command processor as a Kafka Streams topology: commands source, one deciding node, events and replies sinks. */
public final class StreamsCommandProcessor<S, C, E> implements CommandProcessor<S> {
    private static final Logger LOG = LoggerFactory.getLogger(StreamsCommandProcessor.class);
    private final Aggregate<S, C, E> aggregate;
    private final EventCodec<S, C, E> codec;
    private final KafkaStreams streams;
    /** The temporary state directory this processor created, deleted on close; empty if the user chose one. */
    private final Optional<Path> ownStateDirectory;
    /** What stopped a stream thread, for {@link #awaitRunning}: Kafka Streams keeps no record of it. */
    private final AtomicReference<Throwable> failure;

    private StreamsCommandProcessor(Aggregate<S, C, E> aggregate, KafkaStreams streams, Optional<Path> ownStateDirectory,
            AtomicReference<Throwable> failure) {
        this.aggregate = aggregate;
        this.codec = new EventCodec<>(aggregate);
        this.streams = streams;
        this.ownStateDirectory = ownStateDirectory;
        this.failure = failure;
    }

    /** @see CommandProcessor#start */
    public static <S, C, E> CommandProcessor<S> start(Courier courier, Aggregate<S, C, E> aggregate,
            ProcessorOptions options) {
        Properties properties = properties(courier.config(), options);
        // Before anything is created: Kafka Streams would refuse these only once the topics exist.
        requireCommitIntervalWithinTransactionTimeout(properties, options);
        int maxRecordBytes = maxRequestSize(properties);
        int replicationFactor = options.replicationFactor().orElse(1);
        try {
            courier.provision(
                    Topic.builder(aggregate.commandsTopic(), Serdes.string(), Serdes.bytes())
                            .partitions(aggregate.partitions()).replicationFactor(replicationFactor).build(),
                    // The event store: nothing is ever deleted by time or size.
                    Topic.builder(aggregate.eventsTopic(), Serdes.string(), Serdes.bytes())
                            .partitions(aggregate.partitions()).replicationFactor(replicationFactor)
                            .config("retention.ms", "-1").config("retention.bytes", "-1").build());
        } catch (CourierException e) { // a drift names the topic; say which settings declared it
            throw new CourierException("cannot provision the topics of aggregate '" + aggregate.name() + "' for "
                    + "processor '" + options.applicationId() + "' (Aggregate.partitions=" + aggregate.partitions()
                    + ", ProcessorOptions.replicationFactor=" + replicationFactor
                    + (options.replicationFactor().isPresent() ? "" : ", the default") + "): " + e.getMessage(), e);
        }
        Optional<Path> own;
        try { // only when the user chose none: the state is in memory, restored from the changelog on every start
            own = options.stateDirectory().isPresent() ? Optional.empty()
                    : Optional.of(Files.createTempDirectory("courier-streams-"
                            + options.applicationId().replaceAll("[^A-Za-z0-9._-]", "_") + "-"));
        } catch (IOException e) {
            throw new CourierException("cannot create a state directory for processor '" + options.applicationId()
                    + "': " + e.getMessage(), e);
        }
        KafkaStreams streams = null;
        AtomicReference<Throwable> failure = new AtomicReference<>();
        try {
            properties.put(StreamsConfig.STATE_DIR_CONFIG, options.stateDirectory().orElseGet(own::get).toString());
            ChangelogSeed.seedIfLost(courier, aggregate, options.applicationId());
            ReplyTargets replyTargets = new ReplyTargets(courier);
            streams = new KafkaStreams(topology(aggregate, () -> new CommandNode<>(aggregate, courier.config().clock(),
                    courier.config().envelopeFormat(), options.commitInterval(), replyTargets::problem,
                    maxRecordBytes)), properties, new Clients(courier.config().clientFactory()));
            streams.setUncaughtExceptionHandler(e -> {
                failure.compareAndSet(null, e);
                LOG.error("command processor '{}' of aggregate '{}' stops: a stream thread failed; commands are not "
                        + "processed until it is started again", options.applicationId(), aggregate.name(), e);
                // Kafka's own default, kept deliberately: a replaced thread would read the same record and most
                // likely fail again, in a loop that nobody sees; a stopped client shows in awaitRunning.
                return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
            });
            streams.start();
        } catch (RuntimeException e) {
            if (streams == null || close(streams)) {
                own.ifPresent(StreamsCommandProcessor::deleteQuietly);
            }
            throw e;
        }
        return new StreamsCommandProcessor<>(aggregate, streams, own, failure);
    }

    /**
     * @return the largest record the processor's producers accept ({@code max.request.size}), resolved as Kafka
     *     Streams does: {@code producer.max.request.size}, else {@code max.request.size}, else Kafka's default
     * @throws IllegalArgumentException naming the setting if it is not a positive number
     */
    static int maxRequestSize(Properties properties) {
        for (String key : List.of(StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG),
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG)) {
            Integer bytes = positiveInt(properties, key, "bytes");
            if (bytes != null) {
                return bytes;
            }
        }
        return DEFAULT_MAX_REQUEST_SIZE;
    }

    /** Kafka's default {@code max.request.size}. */
    static final int DEFAULT_MAX_REQUEST_SIZE = 1024 * 1024;

    /**
     * Closes and leaves the consumer group: a member that just stops keeps its partitions for its session timeout
     * (45 s by default), and commands to them wait unanswered that long.
     *
     * @return whether the stream threads stopped in time
     */
    private static boolean close(KafkaStreams streams) {
        return streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                .withTimeout(Duration.ofSeconds(30)));
    }

    static <S, C, E> Topology topology(Aggregate<S, C, E> aggregate,
            org.apache.kafka.streams.processor.api.ProcessorSupplier<String, byte[], String, Object> decide) {
        Topology t = new Topology();
        t.addSource("commands", new StringDeserializer(), new ByteArrayDeserializer(), aggregate.commandsTopic());
        t.addProcessor("decide", decide, "commands");
        // In memory, restored from its changelog topic: the changelog is written in the same transaction.
        t.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(CommandNode.STORE),
                org.apache.kafka.common.serialization.Serdes.String(),
                org.apache.kafka.common.serialization.Serdes.ByteArray()), "decide");
        // By key, as Kafka's default partitioner places the commands of a Java sender: a task's events are then
        // in its own partition, which the rebuild of a lost changelog relies on.
        t.addSink(CommandNode.EVENTS, aggregate.eventsTopic(), new StringSerializer(), new ByteArraySerializer(), "decide");
        Serializer<Object> replyBytes = (topic, value) -> ((CommandNode.ReplyOut) value).value();
        StreamPartitioner<String, Object> replyPartition = new ReplyPartitioner();
        t.addSink(CommandNode.REPLIES, (key, value, context) -> ((CommandNode.ReplyOut) value).topic(),
                new StringSerializer(), replyBytes, replyPartition, "decide");
        return t;
    }

    /** @return the Kafka Streams configuration of the processor: the client properties and the options */
    static Properties properties(CourierConfig config, ProcessorOptions options) {
        Properties p = new Properties();
        p.putAll(config.kafkaClientConfig());
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, options.applicationId());
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, options.threads());
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, options.commitInterval().toMillis());
        // The state changelog, which Kafka Streams creates, is replicated like the topics the processor provisions;
        // unset, Kafka Streams' own default (the brokers') or a replication.factor client property stays.
        options.replicationFactor().ifPresent(rf -> p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, rf));
        return p;
    }

    /** Kafka Streams' transaction timeout for its producers under exactly_once_v2, unless configured. */
    static final int DEFAULT_TRANSACTION_TIMEOUT_MS = 10_000;

    /**
     * A commit interval longer than the producers' transaction timeout makes the broker abort transactions, and
     * Kafka Streams refuses one longer than {@code producer.transaction.timeout.ms} (10 s unless set). The producers'
     * timeout can also come from the unprefixed setting for every client, so the interval must fit both: checked
     * before anything is created, naming the setting.
     *
     * @throws IllegalArgumentException naming both values and the setting that decided
     */
    static void requireCommitIntervalWithinTransactionTimeout(Properties properties, ProcessorOptions options) {
        String checked = StreamsConfig.producerPrefix(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG);
        long interval = options.commitInterval().toMillis();
        requireWithin(interval, checked, positiveInt(properties, checked, "milliseconds"), options);
        // What the producers really get: the producer. setting, else the one for every client.
        for (String key : List.of(checked, ProducerConfig.TRANSACTION_TIMEOUT_CONFIG)) {
            Integer set = positiveInt(properties, key, "milliseconds");
            if (set != null) {
                requireWithin(interval, key, set, options);
                return;
            }
        }
    }

    private static void requireWithin(long interval, String key, Integer set, ProcessorOptions options) {
        long timeout = set == null ? DEFAULT_TRANSACTION_TIMEOUT_MS : set;
        if (interval > timeout) {
            throw new IllegalArgumentException("ProcessorOptions.commitInterval of processor '" + options.applicationId()
                    + "' must not be longer than the transaction timeout of its producers, " + timeout + " ms (" + key
                    + (set == null ? ", Kafka Streams' default under exactly_once_v2" : "") + "), but was "
                    + Durations.format(options.commitInterval())
                    + (key.equals(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG)
                            ? "; Kafka Streams checks producer.transaction.timeout.ms, so set that one" : ""));
        }
    }

    /**
     * @return the setting as Kafka reads it (an int), or null if absent
     * @throws IllegalArgumentException naming the setting if it is not a positive whole number
     */
    private static Integer positiveInt(Properties properties, String key, String unit) {
        Object value = properties.get(key);
        if (value == null) {
            return null;
        }
        try {
            int n = Integer.parseInt(value.toString().trim());
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // named below
        }
        throw new IllegalArgumentException(key + " must be a positive number of " + unit + ", but was '" + value + "'");
    }

    @Override
    public CommandProcessor<S> awaitRunning(Duration timeout) {
        awaitRunning(aggregate.name(), streams::state, failure::get, timeout);
        return this;
    }

    /**
     * Waits until {@code state} is RUNNING.
     *
     * @throws CourierException at once, with {@code failure} as its cause, if the state is one that never leads to
     *     RUNNING (the client failed, or is shutting down or closed)
     * @throws CourierRetriableException if it is not RUNNING after {@code timeout}
     */
    static void awaitRunning(String aggregate, Supplier<KafkaStreams.State> state, Supplier<Throwable> failure,
            Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        KafkaStreams.State now;
        while ((now = state.get()) != KafkaStreams.State.RUNNING) {
            if (TERMINAL.contains(now)) {
                Throwable cause = failure.get();
                throw new CourierException("command processor of aggregate '" + aggregate + "' is " + now
                        + " and will not run: " + (cause == null ? "it was closed" : "a stream thread failed: "
                        + cause), cause);
            }
            if (System.nanoTime() > deadline) {
                throw new CourierRetriableException("command processor of aggregate '" + aggregate + "' is " + now
                        + ", not RUNNING, after " + Durations.format(timeout));
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CourierException("interrupted while waiting for the command processor", e);
            }
        }
    }

    /** States from which Kafka Streams never gets to RUNNING again. */
    private static final Set<KafkaStreams.State> TERMINAL = Set.of(KafkaStreams.State.PENDING_ERROR,
            KafkaStreams.State.ERROR, KafkaStreams.State.PENDING_SHUTDOWN, KafkaStreams.State.NOT_RUNNING);

    private ReadOnlyKeyValueStore<String, byte[]> store() {
        return streams.store(StoreQueryParameters.fromNameAndType(CommandNode.STORE,
                QueryableStoreTypes.<String, byte[]>keyValueStore()));
    }

    @Override
    public Optional<Versioned<S>> state(String aggregateId) {
        byte[] stored = store().get(aggregateId);
        return stored == null ? Optional.empty()
                : Optional.of(new Versioned<>(codec.storedState(stored), codec.storedVersion(stored)));
    }

    @Override
    public Map<String, Versioned<S>> states() {
        Map<String, Versioned<S>> all = new LinkedHashMap<>();
        try (KeyValueIterator<String, byte[]> it = store().all()) {
            while (it.hasNext()) {
                KeyValue<String, byte[]> kv = it.next();
                all.put(kv.key, new Versioned<>(codec.storedState(kv.value), codec.storedVersion(kv.value)));
            }
        }
        return all;
    }

    @Override
    public void close() {
        if (close(streams)) { // not while stream threads may still write to it
            ownStateDirectory.ifPresent(StreamsCommandProcessor::deleteQuietly);
        } else {
            LOG.warn("the processor of aggregate '{}': Kafka Streams did not stop within 30 s; its threads may still "
                    + "be running, and its state directory is kept", aggregate.name());
        }
    }

    private static void deleteQuietly(Path dir) {
        try {
            Utils.delete(dir.toFile());
        } catch (IOException e) {
            // a temporary directory: the operating system cleans it up at the latest
        }
    }


    /** Sends each reply to the partition its requester reads. */
    static final class ReplyPartitioner implements StreamPartitioner<String, Object> {
        @Override
        public Optional<Set<Integer>> partitions(String topic, String key, Object value, Headers headers, int count) {
            return Optional.of(Set.of(((CommandNode.ReplyOut) value).partition()));
        }

        // Kafka Streams 4.4 calls the variant with headers, but this one stays abstract until Kafka removes it, so
        // every implementation must override it: the one warning javac cannot be spared.
        @Override
        @Deprecated(forRemoval = true)
        @SuppressWarnings("removal")
        public Optional<Set<Integer>> partitions(String topic, String key, Object value, int count) {
            return partitions(topic, key, value, null, count);
        }
    }

    /**
     * Kafka Streams' clients, made by the configured {@link ClientFactory}, with the producer that writes the events'
     * offsets into each acceptance.
     */
    record Clients(ClientFactory factory) implements KafkaClientSupplier {
        @Override
        public Admin getAdmin(Map<String, Object> config) {
            return factory.admin(config);
        }

        @Override
        public Producer<byte[], byte[]> getProducer(Map<String, Object> config) {
            return new OffsetStampingProducer(factory.producer(config), CommandNode::stamp);
        }

        @Override
        public Consumer<byte[], byte[]> getConsumer(Map<String, Object> config) {
            return factory.consumer(config);
        }

        @Override
        public Consumer<byte[], byte[]> getRestoreConsumer(Map<String, Object> config) {
            return factory.consumer(config);
        }

        @Override
        public Consumer<byte[], byte[]> getGlobalConsumer(Map<String, Object> config) {
            return factory.consumer(config);
        }
    }
}
