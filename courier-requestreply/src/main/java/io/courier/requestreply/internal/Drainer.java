package io.courier.requestreply.internal;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.IntPredicate;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Keeps reading reply partitions that a rebalance took from this instance, from where it stopped, until the
 * requests it routed there are all over (answered, or past their deadline): those replies are still written there,
 * and Kafka lets any client read any partition. The new owner sees them too and drops them as unmatched, as this
 * instance drops the new owner's. Confined to the reply thread.
 */
final class Drainer implements AutoCloseable {
    private final Supplier<org.apache.kafka.clients.consumer.Consumer<byte[], byte[]>> factory;
    private final Clock clock;
    private final Map<TopicPartition, Long> until = new HashMap<>();
    private final Map<TopicPartition, Long> seekTo = new HashMap<>();
    /** Whether a request routed to a partition is not over yet. */
    private final IntPredicate awaited;
    private org.apache.kafka.clients.consumer.Consumer<byte[], byte[]> consumer;

    Drainer(Supplier<org.apache.kafka.clients.consumer.Consumer<byte[], byte[]>> factory, Clock clock,
            IntPredicate awaited) {
        this.factory = factory;
        this.clock = clock;
        this.awaited = awaited;
    }

    /** Reads {@code partition} from {@code position} until {@code deadlineMillis}. */
    void add(TopicPartition partition, long position, long deadlineMillis) {
        until.merge(partition, deadlineMillis, Math::max);
        seekTo.putIfAbsent(partition, position);
    }

    /**
     * Stops draining {@code partition}, which is this instance's again.
     *
     * @return the offset the drain would have read next, or -1 if the partition was not being drained
     */
    long take(TopicPartition partition) {
        if (until.remove(partition) == null) {
            seekTo.remove(partition);
            return -1;
        }
        Long notYetSought = seekTo.remove(partition);
        if (notYetSought != null) {
            return notYetSought;
        }
        long next = consumer.position(partition); // assigned and sought since it was added: known locally
        consumer.assign(until.keySet());
        return next;
    }

    boolean active() {
        return !until.isEmpty();
    }

    /** Hands what the drained partitions hold now to {@code dispatch}; never blocks for long. */
    void poll(Consumer<ConsumerRecord<byte[], byte[]>> dispatch) {
        long now = clock.millis();
        until.entrySet().removeIf(e -> e.getValue() <= now || !awaited.test(e.getKey().partition()));
        seekTo.keySet().retainAll(until.keySet()); // a partition that expired before its first seek is not assigned
        if (until.isEmpty()) {
            if (consumer != null && !consumer.assignment().isEmpty()) {
                consumer.assign(List.of());
            }
            seekTo.clear();
            return;
        }
        if (consumer == null) {
            consumer = factory.get();
        }
        if (!consumer.assignment().equals(until.keySet())) {
            consumer.assign(until.keySet());
        }
        seekTo.forEach(consumer::seek);
        seekTo.clear();
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ZERO)) {
            dispatch.accept(r);
        }
    }

    @Override
    public void close() {
        if (consumer != null) {
            consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
        }
    }
}
