package io.courier.core.internal;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Tells a read up to fixed end offsets that moves no further: a poll returns nothing, without an error, while a
 * partition has no leader. Progress is the consumer's position, which also moves past transaction markers, up to
 * the ends: records arriving past them on other partitions are not progress. Used by the thread that polls only.
 */
public final class ReadStall {
    private final Consumer<?, ?> consumer;
    private final List<TopicPartition> partitions;
    private final Map<TopicPartition, Long> end;
    private final long limitNanos;
    private long position = -1;
    private long progressAt = System.nanoTime();

    /**
     * @param consumer   the consumer reading
     * @param partitions the partitions it reads
     * @param end        where the read ends, per partition
     * @param limit      how long the position may stand still
     */
    public ReadStall(Consumer<?, ?> consumer, List<TopicPartition> partitions, Map<TopicPartition, Long> end,
            Duration limit) {
        this.consumer = consumer;
        this.partitions = partitions;
        this.end = end;
        this.limitNanos = limit.toNanos();
    }

    /** @return null while the read moves, else the partitions still behind after the limit without progress */
    public List<TopicPartition> stuck() {
        long now = partitions.stream().mapToLong(tp -> Math.min(consumer.position(tp), end.get(tp))).sum();
        if (now != position) {
            position = now;
            progressAt = System.nanoTime();
            return null;
        }
        if (System.nanoTime() - progressAt <= limitNanos) {
            return null;
        }
        return partitions.stream().filter(tp -> consumer.position(tp) < end.get(tp)).toList();
    }
}
