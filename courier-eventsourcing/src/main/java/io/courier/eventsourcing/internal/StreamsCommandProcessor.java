package io.courier.eventsourcing.internal;

import io.courier.common.CourierException;
import io.courier.common.CourierRetriableException;
import io.courier.core.ClientFactory;
import io.courier.core.Courier;
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
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.KafkaClientSupplier;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.StreamPartitioner;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.Stores;

/** The command processor as a Kafka Streams topology: commands source, one deciding node, events and replies sinks. */
public final class StreamsCommandProcessor<S, C, E> implements CommandProcessor<S> {
    private final Aggregate<S, C, E> aggregate;
    private final EventCodec<S, C, E> codec;
    private final KafkaStreams streams;
    /** The temporary state directory this processor created, deleted on close; empty if the user chose one. */
    private final Optional<Path> ownStateDirectory;

    private StreamsCommandProcessor(Aggregate<S, C, E> aggregate, KafkaStreams streams, Optional<Path> ownStateDirectory) {
        this.aggregate = aggregate;
        this.codec = new EventCodec<>(aggregate);
        this.streams = streams;
        this.ownStateDirectory = ownStateDirectory;
    }

    /** @see CommandProcessor#start */
    public static <S, C, E> CommandProcessor<S> start(Courier courier, Aggregate<S, C, E> aggregate,
            ProcessorOptions options) {
        courier.provision(
                Topic.builder(aggregate.commandsTopic(), Serdes.string(), Serdes.bytes()).partitions(aggregate.partitions()).build(),
                // The event store: nothing is ever deleted by time or size.
                Topic.builder(aggregate.eventsTopic(), Serdes.string(), Serdes.bytes()).partitions(aggregate.partitions())
                        .config("retention.ms", "-1").config("retention.bytes", "-1").build());
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
        try {
            Properties properties = properties(courier, options);
            properties.put(StreamsConfig.STATE_DIR_CONFIG, options.stateDirectory().orElseGet(own::get).toString());
            ChangelogSeed.seedIfLost(courier, aggregate, options.applicationId());
            ReplyTargets replyTargets = new ReplyTargets(courier);
            streams = new KafkaStreams(topology(aggregate, () -> new CommandNode<>(aggregate, courier.config().clock(),
                    courier.config().envelopeFormat(), options.commitInterval(), replyTargets::problem)), properties,
                    new Clients(courier.config().clientFactory()));
            streams.start();
        } catch (RuntimeException e) {
            if (streams == null || streams.close(Duration.ofSeconds(30))) {
                own.ifPresent(StreamsCommandProcessor::deleteQuietly);
            }
            throw e;
        }
        return new StreamsCommandProcessor<>(aggregate, streams, own);
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

    private static Properties properties(Courier courier, ProcessorOptions options) {
        Properties p = new Properties();
        p.putAll(courier.config().kafkaClientConfig());
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, options.applicationId());
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, options.threads());
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, options.commitInterval().toMillis());
        return p;
    }

    @Override
    public CommandProcessor<S> awaitRunning(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (streams.state() != KafkaStreams.State.RUNNING) {
            if (System.nanoTime() > deadline || streams.state() == KafkaStreams.State.ERROR) {
                throw new CourierRetriableException("command processor of aggregate '" + aggregate.name()
                        + "' is " + streams.state() + ", not RUNNING, after " + timeout);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CourierException("interrupted while waiting for the command processor", e);
            }
        }
        return this;
    }

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
        if (streams.close(Duration.ofSeconds(30))) { // not while stream threads may still write to it
            ownStateDirectory.ifPresent(StreamsCommandProcessor::deleteQuietly);
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
