package io.courier.core.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;

/**
 * The partitions of one consumer that wait for a retry: paused until their backoff has passed, so that the consumer
 * thread goes on polling and handling its other partitions meanwhile instead of sleeping. One consumer thread only.
 */
final class PartitionBackoffs {
    private final Consumer<?, ?> consumer;
    private final LongSupplier nanoTime;
    /** Paused partitions and when (System.nanoTime) each may be polled again. */
    private final Map<TopicPartition, Long> until = new HashMap<>();

    PartitionBackoffs(Consumer<?, ?> consumer, LongSupplier nanoTime) {
        this.consumer = consumer;
        this.nanoTime = nanoTime;
    }

    /** Pauses {@code partitions} for {@code backoff}, or longer if one already waits longer. */
    void pause(Collection<TopicPartition> partitions, Duration backoff) {
        if (partitions.isEmpty()) {
            return;
        }
        long end = nanoTime.getAsLong() + backoff.toNanos();
        partitions.forEach(tp -> until.merge(tp, end, Math::max));
        consumer.pause(partitions);
    }

    /** Resumes the partitions whose backoff has passed; call before each poll. */
    void resumeDue() {
        if (until.isEmpty()) {
            return;
        }
        long now = nanoTime.getAsLong();
        List<TopicPartition> due = new ArrayList<>();
        until.forEach((tp, end) -> {
            if (end - now <= 0) {
                due.add(tp);
            }
        });
        if (!due.isEmpty()) {
            due.forEach(until::remove);
            due.retainAll(consumer.assignment()); // resuming a partition no longer assigned would throw
            consumer.resume(due);
        }
    }

    /** @return how long the next poll may wait: {@code max}, or less when a partition is due to resume sooner */
    Duration pollTimeout(Duration max) {
        long now = nanoTime.getAsLong();
        long wait = max.toNanos();
        for (long end : until.values()) {
            wait = Math.min(wait, Math.max(end - now, 1_000_000));
        }
        return Duration.ofNanos(wait);
    }

    /**
     * Forgets partitions this consumer no longer owns: a partition assigned again starts unpaused (the consumer
     * drops a revoked partition's pause), polled from its committed offset.
     */
    void forget(Collection<TopicPartition> partitions) {
        partitions.forEach(until::remove);
    }
}
