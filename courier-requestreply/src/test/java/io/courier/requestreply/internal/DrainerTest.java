package io.courier.requestreply.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** Reading given-up reply partitions until their deadlines, without a broker. */
class DrainerTest {
    private static final TopicPartition P0 = new TopicPartition("checkout.replies", 0);
    private static final TopicPartition P1 = new TopicPartition("checkout.replies", 1);

    /** Past P0's deadline, before P1's: P0 expired before the drain first polled. */
    private final Clock clock = Clock.fixed(Instant.ofEpochMilli(1_050), ZoneOffset.UTC);

    @Test
    void aPartitionWhoseDeadlinePassedBeforeItsFirstSeekIsDroppedWhileTheOthersAreStillRead() {
        MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("latest");
        Drainer drainer = new Drainer(() -> consumer, clock, partition -> true);
        drainer.add(P0, 5, 1_010);
        drainer.add(P1, 7, 2_000);

        List<Long> read = new ArrayList<>();
        drainer.poll(r -> read.add(r.offset()));

        assertThat(consumer.assignment()).containsExactly(P1);
        assertThat(consumer.position(P1)).isEqualTo(7);
        assertThat(drainer.take(P0)).as("no longer drained").isEqualTo(-1);
        assertThat(drainer.take(P1)).isEqualTo(7);
        drainer.close();
    }

    @Test
    void aPartitionWhoseRequestsAreAllOverIsDroppedBeforeItsDeadline() {
        MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("latest");
        java.util.Set<Integer> awaited = new java.util.HashSet<>(List.of(0, 1));
        Drainer drainer = new Drainer(() -> consumer, clock, awaited::contains);
        drainer.add(P0, 5, 60_000);
        drainer.add(P1, 7, 60_000);
        drainer.poll(r -> { });
        assertThat(consumer.assignment()).containsExactlyInAnyOrder(P0, P1);

        awaited.remove(0); // P0's requests were answered: an hour-long deadline no longer keeps it read
        drainer.poll(r -> { });

        assertThat(consumer.assignment()).containsExactly(P1);
        assertThat(drainer.active()).isTrue();
        awaited.remove(1);
        drainer.poll(r -> { });
        assertThat(drainer.active()).as("nothing left to drain").isFalse();
        drainer.close();
    }
}
