package io.courier.bench.es;

import io.courier.core.Courier;
import io.courier.eventsourcing.EventHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Reads an event topic back with a plain read_committed consumer and counts events and repeated versions. */
record EventTopicCheck(long events, long duplicates) {

    static EventTopicCheck read(Courier courier, String topic) {
        Map<String, Object> c = courier.config().kafkaClientConfig();
        c.put("isolation.level", "read_committed");
        long events = 0;
        Set<String> seen = new HashSet<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            while (!partitions.stream().allMatch(tp -> consumer.position(tp) >= end.get(tp))) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    events++;
                    Header v = r.headers().lastHeader(EventHeaders.AGGREGATE_VERSION);
                    seen.add(new String(r.key(), StandardCharsets.UTF_8) + "@"
                            + (v == null ? "?" : new String(v.value(), StandardCharsets.UTF_8)));
                }
            }
        }
        return new EventTopicCheck(events, events - seen.size());
    }
}
