package io.courier.core.internal;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/** Kafka's MockConsumer, keeping the last offset committed per partition where a closed consumer still shows it. */
class RecordingConsumer extends MockConsumer<byte[], byte[]> {
    final Map<TopicPartition, OffsetAndMetadata> commits = new ConcurrentHashMap<>();
    private volatile Runnable beforeEachPoll = () -> {};

    RecordingConsumer() {
        super("earliest");
    }

    /** At the next poll: assigns {@code p} alone, from offset 0, and offers {@code records} (may be none). */
    @SafeVarargs
    final void assignFromStart(TopicPartition p, ConsumerRecord<byte[], byte[]>... records) {
        assignFromStart(List.of(p), records);
    }

    /** At the next poll: assigns {@code partitions}, each from offset 0, and offers {@code records} in this order. */
    @SafeVarargs
    final void assignFromStart(List<TopicPartition> partitions, ConsumerRecord<byte[], byte[]>... records) {
        schedulePollTask(() -> {
            rebalance(partitions);
            Map<TopicPartition, Long> beginning = new java.util.HashMap<>();
            partitions.forEach(tp -> beginning.put(tp, 0L));
            updateBeginningOffsets(beginning);
            partitions.forEach(tp -> seek(tp, 0));
            for (ConsumerRecord<byte[], byte[]> r : records) {
                addRecord(r);
            }
        });
    }

    /**
     * Runs {@code task} at the start of every poll, before the scheduled poll tasks: unlike those, it outlasts a
     * worker that polls in a busy loop (a MockConsumer's poll does not wait).
     */
    void beforeEachPoll(Runnable task) {
        beforeEachPoll = task;
    }

    @Override
    public synchronized ConsumerRecords<byte[], byte[]> poll(Duration timeout) {
        beforeEachPoll.run();
        return super.poll(timeout);
    }

    @Override
    public synchronized void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets) {
        commits.putAll(offsets);
        super.commitSync(offsets);
    }
}
