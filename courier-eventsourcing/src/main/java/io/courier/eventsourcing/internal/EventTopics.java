package io.courier.eventsourcing.internal;

import io.courier.common.CourierException;
import io.courier.core.Courier;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

/** Plain readers of event topics: no group, {@code read_committed}, so aborted writes never count. */
final class EventTopics {
    private EventTopics() {}

    static Consumer<byte[], byte[]> reader(Courier courier) {
        Map<String, Object> c = courier.config().kafkaClientConfig();
        c.put("isolation.level", "read_committed");
        c.put("enable.auto.commit", "false");
        c.put("max.poll.records", "2000");
        return courier.config().clientFactory().consumer(c);
    }

    static List<TopicPartition> partitions(Consumer<byte[], byte[]> consumer, String topic) {
        List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
        if (infos == null || infos.isEmpty()) {
            throw new CourierException("events topic '" + topic + "' does not exist; start the command processor "
                    + "first, which creates it");
        }
        return infos.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
    }

    static boolean reached(Consumer<byte[], byte[]> consumer, Map<TopicPartition, Long> end) {
        return end.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue());
    }
}
