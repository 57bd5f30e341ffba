package io.courier.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** Partitions paused for their retry's backoff, on a clock the test moves. */
class PartitionBackoffsTest {
    private static final TopicPartition P0 = new TopicPartition("orders", 0);
    private static final TopicPartition P1 = new TopicPartition("orders", 1);

    private final RecordingConsumer consumer = new RecordingConsumer();
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final PartitionBackoffs backoffs = new PartitionBackoffs(consumer, now::get);

    {
        consumer.assign(List.of(P0, P1));
        consumer.updateBeginningOffsets(Map.of(P0, 0L, P1, 0L));
    }

    @Test
    void aPartitionIsPausedUntilItsBackoffHasPassedAndThePollWaitsNoLonger() {
        backoffs.pause(List.of(P0), Duration.ofMillis(300));
        backoffs.pause(List.of(P1), Duration.ofSeconds(2));

        assertThat(consumer.paused()).containsExactlyInAnyOrder(P0, P1);
        assertThat(backoffs.pollTimeout(Duration.ofMillis(200))).isEqualTo(Duration.ofMillis(200));
        now.addAndGet(Duration.ofMillis(250).toNanos());
        assertThat(backoffs.pollTimeout(Duration.ofMillis(200))).as("P0 is due in 50 ms")
                .isEqualTo(Duration.ofMillis(50));
        backoffs.resumeDue();
        assertThat(consumer.paused()).containsExactlyInAnyOrder(P0, P1);

        now.addAndGet(Duration.ofMillis(50).toNanos());
        backoffs.resumeDue();

        assertThat(consumer.paused()).containsExactly(P1);
        assertThat(backoffs.pollTimeout(Duration.ofSeconds(5))).as("P1 is due in 1.7 s")
                .isEqualTo(Duration.ofMillis(1_700));
    }

    @Test
    void aLongerBackoffIsKeptWhenAShorterOneFollows() {
        backoffs.pause(List.of(P0), Duration.ofSeconds(2));
        backoffs.pause(List.of(P0), Duration.ofMillis(10));
        now.addAndGet(Duration.ofSeconds(1).toNanos());

        backoffs.resumeDue();

        assertThat(consumer.paused()).containsExactly(P0);
    }

    @Test
    void aPartitionNoLongerAssignedIsNeitherResumedNorWaitedFor() {
        backoffs.pause(List.of(P0, P1), Duration.ofMillis(100));
        consumer.assign(List.of(P1)); // P0 went to another member, without a callback yet
        backoffs.forget(List.of(P1)); // and P1 was revoked and assigned again

        now.addAndGet(Duration.ofMillis(100).toNanos());
        backoffs.resumeDue(); // would throw for P0, were it resumed

        assertThat(backoffs.pollTimeout(Duration.ofMillis(200))).as("nothing waits any more")
                .isEqualTo(Duration.ofMillis(200));
    }
}
