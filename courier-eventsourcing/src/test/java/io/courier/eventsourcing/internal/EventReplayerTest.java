package io.courier.eventsourcing.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.courier.common.CourierException;
import io.courier.core.ClientFactory;
import io.courier.core.Courier;
import io.courier.core.CourierConfig;
import io.courier.eventsourcing.Aggregate;
import io.courier.eventsourcing.EventHeaders;
import io.courier.eventsourcing.Replay;
import io.courier.eventsourcing.Versioned;
import io.courier.eventsourcing.internal.Counters.Add;
import io.courier.eventsourcing.internal.Counters.Added;
import io.courier.eventsourcing.internal.Counters.Counter;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

/** Replay over a mock consumer: what a failing {@code evolve} says. No broker. */
class EventReplayerTest {
    /** An evolve that cannot take a negative amount, as a bug in user code. */
    private static final Aggregate<Counter, Add, Added> COUNTERS = Counters.builder()
            .evolve((state, added) -> {
                if (added.n() < 0) {
                    throw new IllegalStateException("negative: " + added.n());
                }
                return new Counter((state == null ? 0 : state.count()) + added.n());
            })
            .partitions(1)
            .build();

    private static ConsumerRecord<byte[], byte[]> event(long offset, String id, long version, long n) {
        RecordHeaders headers = new RecordHeaders();
        headers.add("ce_type", "Added".getBytes(StandardCharsets.UTF_8));
        headers.add(EventHeaders.AGGREGATE_VERSION, Long.toString(version).getBytes(StandardCharsets.UTF_8));
        return new ConsumerRecord<>(COUNTERS.eventsTopic(), 0, offset, 0L, TimestampType.CREATE_TIME, 0, 0,
                id.getBytes(StandardCharsets.UTF_8), ("{\"n\":" + n + "}").getBytes(StandardCharsets.UTF_8), headers,
                Optional.empty());
    }

    /** @return a connection whose consumers read {@code records} from partition 0 of the events topic */
    @SafeVarargs
    private static Courier courierReading(ConsumerRecord<byte[], byte[]>... records) {
        TopicPartition tp = new TopicPartition(COUNTERS.eventsTopic(), 0);
        MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("earliest");
        consumer.updatePartitions(tp.topic(), List.of(new PartitionInfo(tp.topic(), 0, Node.noNode(), new Node[0],
                new Node[0])));
        consumer.updateBeginningOffsets(Map.of(tp, 0L));
        consumer.updateEndOffsets(Map.of(tp, (long) records.length));
        consumer.schedulePollTask(() -> {
            for (ConsumerRecord<byte[], byte[]> r : records) {
                consumer.addRecord(r);
            }
        });
        ClientFactory clients = new ClientFactory() {
            @Override
            public Producer<byte[], byte[]> producer(Map<String, Object> config) {
                throw new UnsupportedOperationException();
            }

            @Override
            public Consumer<byte[], byte[]> consumer(Map<String, Object> config) {
                return consumer;
            }

            @Override
            public Admin admin(Map<String, Object> config) {
                throw new UnsupportedOperationException();
            }
        };
        CourierConfig config = CourierConfig.builder("unused:9092").clientFactory(clients).build();
        return (Courier) Proxy.newProxyInstance(EventReplayerTest.class.getClassLoader(),
                new Class<?>[] {Courier.class}, (proxy, method, args) -> {
                    if (method.getName().equals("config")) {
                        return config;
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }

    @Test
    void anEvolveThatThrowsDuringReplayFailsNamingTheAggregateTheVersionAndTheEvent() {
        Courier courier = courierReading(event(0, "c-1", 1, 5), event(1, "c-1", 2, -1));

        CourierException e = assertThrows(CourierException.class, () -> EventReplayer.replay(courier, COUNTERS));

        assertThat(e).hasMessage("aggregate 'counter' failed to evolve 'c-1' to version 2 with event "
                + "counter.events-0@1 (Added): java.lang.IllegalStateException: negative: -1")
                .hasCauseInstanceOf(IllegalStateException.class);
    }

    @Test
    void aReplayCountsEachRepeatedAggregateVersionAsADuplicateAndDoesNotApplyIt() {
        Courier courier = courierReading(
                event(0, "c-1", 1, 5),
                event(1, "c-1", 2, 7),
                event(2, "c-1", 2, 7), // a repeat of version 2
                event(3, "c-2", 1, 100),
                event(4, "c-1", 1, 5), // a repeat of version 1, below the last one applied
                event(5, "c-2", 1, 100), // a repeat of c-2's version 1
                event(6, "c-1", 3, 1));

        Replay.Result<Counter> result = EventReplayer.replay(courier, COUNTERS);

        assertThat(result.events()).isEqualTo(7);
        assertThat(result.duplicateEvents()).isEqualTo(3);
        assertThat(result.states()).containsOnly(
                Map.entry("c-1", new Versioned<>(new Counter(13), 3)),
                Map.entry("c-2", new Versioned<>(new Counter(100), 1)));
    }
}
