package io.courier.core.internal;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/** Kafka's MockConsumer, keeping the last offset committed per partition where a closed consumer still shows it. */
class RecordingConsumer extends MockConsumer<byte[], byte[]> {
    final Map<TopicPartition, OffsetAndMetadata> commits = new ConcurrentHashMap<>();

    RecordingConsumer() {
        super("earliest");
    }

    /** At the next poll: assigns {@code p} alone, from offset 0, and offers {@code records} (may be none). */
    @SafeVarargs
    final void assignFromStart(TopicPartition p, ConsumerRecord<byte[], byte[]>... records) {
        schedulePollTask(() -> {
            rebalance(List.of(p));
            updateBeginningOffsets(Map.of(p, 0L));
            seek(p, 0);
            for (ConsumerRecord<byte[], byte[]> r : records) {
                addRecord(r);
            }
        });
    }

    @Override
    public synchronized void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets) {
        commits.putAll(offsets);
        super.commitSync(offsets);
    }
}
