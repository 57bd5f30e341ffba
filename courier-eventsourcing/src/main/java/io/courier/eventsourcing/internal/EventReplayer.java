package io.courier.eventsourcing.internal;

import io.courier.common.CourierException;
import io.courier.core.Courier;
import io.courier.eventsourcing.Aggregate;
import io.courier.eventsourcing.Replay;
import io.courier.eventsourcing.Versioned;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/** Reads an events topic from the beginning to its end and folds the events into states. */
public final class EventReplayer {
    private EventReplayer() {}

    public static <S, C, E> Replay.Result<S> replay(Courier courier, Aggregate<S, C, E> aggregate) {
        EventCodec<S, C, E> codec = new EventCodec<>(aggregate);
        Map<String, S> states = new HashMap<>();
        Map<String, Long> versions = new HashMap<>();
        Set<String> seen = new HashSet<>();
        long events = 0;
        long duplicates = 0;
        long start = System.nanoTime();
        try (Consumer<byte[], byte[]> consumer = EventTopics.reader(courier)) {
            List<TopicPartition> partitions = EventTopics.partitions(consumer, aggregate.eventsTopic());
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            while (!EventTopics.reached(consumer, end)) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    String id = r.key() == null ? null : new String(r.key(), java.nio.charset.StandardCharsets.UTF_8);
                    String where = r.topic() + "-" + r.partition() + "@" + r.offset();
                    if (id == null) {
                        throw new CourierException("event " + where + " has no aggregate id (record key)");
                    }
                    EventCodec.Decoded<E> d = codec.decode(r.value(), r.headers(), where);
                    events++;
                    if (!seen.add(id + "@" + d.version())) {
                        duplicates++;
                        continue;
                    }
                    states.put(id, aggregate.evolve().apply(states.get(id), d.event()));
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
