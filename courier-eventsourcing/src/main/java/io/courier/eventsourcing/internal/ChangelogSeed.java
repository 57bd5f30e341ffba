package io.courier.eventsourcing.internal;

import io.courier.common.CourierException;
import io.courier.core.Courier;
import io.courier.core.internal.Futures;
import io.courier.eventsourcing.Aggregate;
import io.courier.eventsourcing.Versioned;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
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
        List<Integer> lost = new ArrayList<>();
        boolean changelogExists = Futures.await(courier.admin().listTopics().names(), courier.config().connectTimeout(),
                "list the topics at " + courier.config().bootstrapServers()).contains(changelog);
        try (Consumer<byte[], byte[]> reader = EventTopics.reader(courier)) {
            List<TopicPartition> events = EventTopics.partitions(reader, aggregate.eventsTopic());
            Map<TopicPartition, Long> eventEnds = reader.endOffsets(events, Duration.ofSeconds(30));
            Map<TopicPartition, Long> changelogEnds = changelogExists ? reader.endOffsets(events.stream()
                    .map(tp -> new TopicPartition(changelog, tp.partition())).toList(), Duration.ofSeconds(30)) : Map.of();
            for (TopicPartition tp : events) {
                long stored = changelogEnds.getOrDefault(new TopicPartition(changelog, tp.partition()), 0L);
                if (eventEnds.get(tp) > 0 && stored == 0) {
                    lost.add(tp.partition());
                }
            }
        }
        if (lost.isEmpty()) {
            return;
        }
        if (!changelogExists) {
            create(courier, changelog, aggregate.partitions());
        }
        EventCodec<S, C, E> codec = new EventCodec<>(aggregate);
        Map<String, Object> config = courier.config().kafkaClientConfig();
        config.put("acks", "all");
        config.put("enable.idempotence", "true");
        try (Producer<byte[], byte[]> producer = courier.config().clientFactory().producer(config)) {
            for (int partition : lost) {
                Map<String, Versioned<S>> states = EventReplayer.replay(courier, aggregate, partition).states();
                List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
                states.forEach((id, v) -> sent.add(producer.send(new ProducerRecord<>(changelog, partition,
                        id.getBytes(StandardCharsets.UTF_8), codec.encodeState(v.version(), v.state())))));
                producer.flush();
                for (java.util.concurrent.Future<?> f : sent) {
                    f.get();
                }
                LOG.warn("aggregate type '{}': the state changelog '{}' held nothing for partition {} while its "
                        + "events do (the changelog was deleted, or the application id changed); rebuilt {} "
                        + "aggregate(s) from topic '{}'", aggregate.name(), changelog, partition, states.size(),
                        aggregate.eventsTopic());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CourierException("interrupted while rebuilding the states of '" + aggregate.name() + "'", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new CourierException("cannot write the rebuilt states of '" + aggregate.name() + "' to topic '"
                    + changelog + "': " + e.getCause(), e.getCause());
        }
    }

    /** Creates the changelog as Kafka Streams would: compacted, one partition per commands partition. */
    private static void create(Courier courier, String changelog, int partitions) {
        try {
            Futures.await(courier.admin().createTopics(Set.of(new NewTopic(changelog, Optional.of(partitions),
                    Optional.empty()).configs(Map.of("cleanup.policy", "compact")))).all(),
                    courier.config().connectTimeout(), "create the state changelog '" + changelog + "'");
        } catch (CourierException e) {
            if (!(e.getCause() instanceof TopicExistsException)) { // another instance got there first: fine
                throw e;
            }
        }
    }
}
