package io.courier.core.internal;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/** Kafka's MockConsumer, keeping the last offset committed per partition where a closed consumer still shows it. */
class RecordingConsumer extends MockConsumer<byte[], byte[]> {
    final Map<TopicPartition, OffsetAndMetadata> commits = new ConcurrentHashMap<>();

    RecordingConsumer() {
        super("earliest");
    }

    @Override
    public synchronized void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets) {
        commits.putAll(offsets);
        super.commitSync(offsets);
    }
}
