package io.courier.eventsourcing.internal;

import io.courier.common.CourierException;
import io.courier.common.CourierRetriableException;
import io.courier.common.Durations;
import io.courier.common.JvmErrors;
import io.courier.core.Courier;
import io.courier.core.internal.ReadStall;
import io.courier.eventsourcing.Aggregate;
import io.courier.eventsourcing.Replay;
import io.courier.eventsourcing.Versioned;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/** Reads an events topic from the beginning to its end and folds the events into states. */
public final class EventReplayer {
    private EventReplayer() {}

    public static <S, C, E> Replay.Result<S> replay(Courier courier, Aggregate<S, C, E> aggregate) {
        return replay(courier, aggregate, -1);
    }

    /**
     * @return the aggregate's state after the event
     * @throws CourierException naming the aggregate, the version and where the event is, if {@code evolve} fails
     */
    private static <S, E> S evolve(Aggregate<S, ?, E> aggregate, S state, String id, EventCodec.Decoded<E> event,
            String where) {
        try {
            return aggregate.evolve().apply(state, event.event());
        } catch (Throwable e) {
            // As for live commands, user code's errors too; a bare one would not say which event of which aggregate.
            JvmErrors.rethrowIfJvms(e);
            throw new CourierException("aggregate '" + aggregate.name() + "' failed to evolve '" + id + "' to version "
                    + event.version() + " with event " + where + " (" + aggregate.events().messageType(event.event())
                    + "): " + e, e);
        }
    }

    /**
     * @param partition the one partition of the events topic to read, or -1 for all of them
     * @return the states of the aggregates whose events the partition(s) hold
     */
    static <S, C, E> Replay.Result<S> replay(Courier courier, Aggregate<S, C, E> aggregate, int partition) {
        EventCodec<S, C, E> codec = new EventCodec<>(aggregate);
        Map<String, S> states = new HashMap<>();
        // The last version applied per aggregate: an aggregate's events are in one partition, in version order, so
        // a version at or below it is a repeat. (Not every (id, version) pair: that set grows with the topic.)
        Map<String, Long> versions = new HashMap<>();
        long events = 0;
        long duplicates = 0;
        long start = System.nanoTime();
        try (Consumer<byte[], byte[]> consumer = EventTopics.reader(courier)) {
            List<TopicPartition> partitions = EventTopics.partitions(consumer, aggregate.eventsTopic()).stream()
                    .filter(tp -> partition < 0 || tp.partition() == partition).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            Duration limit = courier.config().connectTimeout().multipliedBy(2);
            ReadStall stall = new ReadStall(consumer, partitions, end, limit);
            while (!EventTopics.reached(consumer, end)) {
                List<TopicPartition> behind = stall.stuck(); // instead of waiting for ever: a start waits for this
                if (behind != null) {
                    throw new CourierRetriableException("the replay of topic '" + aggregate.eventsTopic() + "' at "
                            + courier.config().bootstrapServers() + " moved no further for "
                            + Durations.format(limit) + " though partitions " + behind
                            + " hold more (is a leader missing?)");
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    String id = r.key() == null ? null : new String(r.key(), java.nio.charset.StandardCharsets.UTF_8);
                    String where = r.topic() + "-" + r.partition() + "@" + r.offset();
                    if (id == null) {
                        throw new CourierException("event " + where + " has no aggregate id (record key)");
                    }
                    EventCodec.Decoded<E> d = codec.decode(r.value(), r.headers(), where);
                    events++;
                    if (d.version() <= versions.getOrDefault(id, 0L)) {
                        duplicates++;
                        continue;
                    }
                    states.put(id, evolve(aggregate, states.get(id), id, d, where));
                    versions.put(id, d.version());
                }
            }
        }
        double seconds = Math.max(1e-9, (System.nanoTime() - start) / 1e9);
        Map<String, Versioned<S>> result = new HashMap<>();
        states.forEach((id, s) -> result.put(id, new Versioned<>(s, versions.get(id))));
        return new Replay.Result<>(result, events, duplicates, events / seconds);
    }
}
