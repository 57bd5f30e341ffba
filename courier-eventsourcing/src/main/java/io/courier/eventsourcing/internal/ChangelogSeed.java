package io.courier.eventsourcing.internal;

import io.courier.common.CourierException;
import io.courier.common.CourierRetriableException;
import io.courier.core.Courier;
import io.courier.core.Serdes;
import io.courier.core.Topic;
import io.courier.core.internal.Futures;
import io.courier.eventsourcing.Aggregate;
import io.courier.eventsourcing.Versioned;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Before a command processor starts: a partition whose events topic holds events but whose state changelog holds
 * nothing (the changelog topic was deleted, or the application id changed, which names a new one) has lost its
 * states. Deciding on an empty store would start every aggregate again at version 0 and accept what its events
 * already refuse, so the states are rebuilt from the events and written to the changelog, from which Kafka Streams
 * then restores the store as after any restart. Done here, off the stream threads: a long replay there would
 * outlive their transactions and poll interval.
 */
final class ChangelogSeed {
    private static final Logger LOG = LoggerFactory.getLogger(ChangelogSeed.class);

    private ChangelogSeed() {}

    /** Kafka Streams' name for the changelog of the processor's store. */
    static String changelogTopic(String applicationId) {
        return applicationId + "-" + CommandNode.STORE + "-changelog";
    }

    static <S, C, E> void seedIfLost(Courier courier, Aggregate<S, C, E> aggregate, String applicationId) {
        String changelog = changelogTopic(applicationId);
        List<Integer> lost;
        try (Consumer<byte[], byte[]> reader = EventTopics.reader(courier)) {
            boolean exists = Futures.await(courier.admin().listTopics().names(), courier.config().connectTimeout(),
                    "list the topics at " + courier.config().bootstrapServers()).contains(changelog);
            lost = lostPartitions(aggregate, reader, changelog, exists);
            if (lost.isEmpty()) {
                return;
            }
            if (!exists) {
                short replicas = (short) reader.partitionsFor(aggregate.eventsTopic(), Duration.ofSeconds(30)).get(0)
                        .replicas().length;
                // As Kafka Streams creates it, replicated like the events; provision waits until it is served.
                courier.provision(Topic.builder(changelog, Serdes.string(), Serdes.bytes())
                        .partitions(aggregate.partitions()).replicationFactor(replicas)
                        .config("cleanup.policy", "compact").config("message.timestamp.type", "CreateTime").build());
            }
            seed(courier, aggregate, applicationId, reader, lost);
        } catch (KafkaException e) { // a timeout or a refusal while looking: say what was being done
            String message = "cannot check whether the state changelog '" + changelog + "' of processor '"
                    + applicationId + "' lost states that its events hold: " + e;
            throw e instanceof org.apache.kafka.common.errors.TimeoutException
                    ? new CourierRetriableException(message, e) : new CourierException(message, e);
        }
    }

    /** @return the events partitions with events whose changelog partition holds no committed record */
    private static List<Integer> lostPartitions(Aggregate<?, ?, ?> aggregate, Consumer<byte[], byte[]> reader,
            String changelog, boolean changelogExists) {
        List<TopicPartition> events = EventTopics.partitions(reader, aggregate.eventsTopic());
        Map<TopicPartition, Long> eventEnds = reader.endOffsets(events, Duration.ofSeconds(30));
        List<org.apache.kafka.common.PartitionInfo> stored = changelogExists
                ? reader.partitionsFor(changelog, Duration.ofSeconds(30)) : List.of();
        if (!stored.isEmpty() && stored.size() != events.size()) {
            return List.of(); // not a changelog of this aggregate's layout: Kafka Streams says what is wrong with it
        }
        List<Integer> lost = new ArrayList<>();
        for (TopicPartition tp : events) {
            if (eventEnds.get(tp) > 0 && (stored.isEmpty() || !holdsCommitted(reader, new TopicPartition(changelog,
                    tp.partition())))) {
                lost.add(tp.partition());
            }
        }
        return lost;
    }

    /**
     * @return whether the partition holds a committed record: read, since aborted writes and transaction markers
     *     raise the end offset too
     */
    private static boolean holdsCommitted(Consumer<byte[], byte[]> reader, TopicPartition tp) {
        long end = reader.endOffsets(List.of(tp), Duration.ofSeconds(30)).get(tp);
        if (end == 0) {
            return false;
        }
        reader.assign(List.of(tp));
        reader.seekToBeginning(List.of(tp));
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (reader.position(tp) < end) {
            if (!reader.poll(Duration.ofMillis(200)).isEmpty()) {
                return true;
            }
            if (System.nanoTime() > deadline) { // not "lost": a rebuild on a guess could overwrite newer states
                throw new CourierRetriableException("cannot tell within 30 s whether changelog partition " + tp
                        + " holds states: it was read up to offset " + reader.position(tp) + " of " + end);
            }
        }
        return false;
    }

    /**
     * Writes each lost partition's rebuilt states in one transaction under one transactional id per processor: a
     * seed is all or nothing, and two instances starting at once fence each other instead of both writing (one of
     * them from an older replay, after the other has begun to decide). The replays come first, so that the fencing
     * window is only the writing; while a partition's changelog is empty, no running instance writes to it.
     */
    private static <S, C, E> void seed(Courier courier, Aggregate<S, C, E> aggregate, String applicationId,
            Consumer<byte[], byte[]> reader, List<Integer> lost) {
        String changelog = changelogTopic(applicationId);
        Map<Integer, Map<String, Versioned<S>>> rebuilt = new java.util.TreeMap<>();
        for (int partition : lost) {
            try {
                rebuilt.put(partition, EventReplayer.replay(courier, aggregate, partition).states());
            } catch (CourierException e) {
                throw new CourierException("cannot rebuild the lost states of '" + aggregate.name() + "' (partition "
                        + partition + " of the state changelog '" + changelog + "') from their events: "
                        + e.getMessage(), e);
            }
        }
        rebuilt.values().removeIf(Map::isEmpty); // only aborted writes: nothing to rebuild
        if (rebuilt.isEmpty()) {
            return;
        }
        EventCodec<S, C, E> codec = new EventCodec<>(aggregate);
        Map<String, Object> config = courier.config().kafkaClientConfig();
        config.put("transactional.id", applicationId + "-changelog-seed");
        config.put("acks", "all");
        config.put("enable.idempotence", "true");
        config.put("transaction.timeout.ms", "300000"); // a partition of many aggregates takes a while to write
        Producer<byte[], byte[]> producer = courier.config().clientFactory().producer(config);
        try {
            producer.initTransactions(); // fences a seeder still at work: its transaction is aborted
            for (Map.Entry<Integer, Map<String, Versioned<S>>> e : rebuilt.entrySet()) {
                int partition = e.getKey();
                if (holdsCommitted(reader, new TopicPartition(changelog, partition))) {
                    continue; // another instance seeded it meanwhile
                }
                producer.beginTransaction();
                e.getValue().forEach((id, v) -> producer.send(new ProducerRecord<>(changelog, partition,
                        id.getBytes(StandardCharsets.UTF_8), codec.encodeState(v.version(), v.state()))));
                producer.commitTransaction();
                LOG.warn("aggregate type '{}': the state changelog '{}' held nothing for partition {} while its "
                        + "events do (the changelog was deleted, or the application id changed); rebuilt {} "
                        + "aggregate(s) from topic '{}'", aggregate.name(), changelog, partition, e.getValue().size(),
                        aggregate.eventsTopic());
            }
        } catch (org.apache.kafka.common.errors.ProducerFencedException
                | org.apache.kafka.common.errors.InvalidProducerEpochException
                | org.apache.kafka.common.errors.InvalidTxnStateException e) {
            // The last one too: another seeder's initTransactions, with the same transactional id, can abort this
            // one's transaction between its sends and its commit (seen with two processors starting at once).
            throw new CourierRetriableException("another instance of processor '" + applicationId + "' is "
                    + "rebuilding the lost states of '" + aggregate.name() + "' from its events (or this rebuild "
                    + "outlived its transaction timeout of 5 minutes); start this one again once that one runs", e);
        } catch (KafkaException e) {
            String message = "cannot write the rebuilt states of '" + aggregate.name() + "' to topic '" + changelog
                    + "': " + e;
            if (e.getClass() == KafkaException.class) {
                // Kafka's "Unhandled error in EndTxnResponse" (an unknown server error): seen when another seeder's
                // initTransactions, with the same transactional id, lands during this one's commit.
                throw new CourierRetriableException(message + "; another instance of processor '" + applicationId
                        + "' may be rebuilding them at the same time: start this one again", e);
            }
            throw e instanceof org.apache.kafka.common.errors.TimeoutException
                    || e instanceof org.apache.kafka.common.errors.RetriableException
                    ? new CourierRetriableException(message, e) : new CourierException(message, e);
        } finally {
            producer.close(Duration.ofSeconds(30));
        }
    }
}
