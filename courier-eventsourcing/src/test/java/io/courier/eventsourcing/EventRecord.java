package io.courier.eventsourcing;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** An event as a plain read_committed consumer sees it on the topic: no Courier code on this path. */
record EventRecord(String aggregateId, String type, long version, String schemaVersion, String causationId,
        String correlationId, String traceparent, String json, EventOffset offset) {

    static List<EventRecord> readAll(String servers, String topic) {
        Map<String, Object> c = new HashMap<>();
        c.put("bootstrap.servers", servers);
        c.put("isolation.level", "read_committed");
        List<EventRecord> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            while (!partitions.stream().allMatch(tp -> consumer.position(tp) >= end.get(tp))) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    out.add(new EventRecord(new String(r.key(), StandardCharsets.UTF_8), envelope(r, "ce_type", 1),
                            Long.parseLong(text(r, EventHeaders.AGGREGATE_VERSION)),
                            text(r, EventHeaders.SCHEMA_VERSION), envelope(r, "ce_causationid", 7),
                            envelope(r, "ce_correlationid", 6), text(r, "traceparent"),
                            new String(r.value(), StandardCharsets.UTF_8),
                            new EventOffset(r.topic(), r.partition(), r.offset())));
                }
            }
        }
        return out;
    }

    /**
     * An envelope field, read by hand in either format: the CloudEvents header, or field {@code index} of the compact
     * {@code courier-envelope} header ({@code 1|type|source|content type|millis|id|correlation id|causation id}).
     */
    static String envelope(ConsumerRecord<byte[], byte[]> r, String cloudEventsHeader, int index) {
        String compact = text(r, "courier-envelope");
        if (compact == null) {
            return text(r, cloudEventsHeader);
        }
        String[] fields = compact.split("\\|", -1);
        return index < fields.length ? fields[index] : null;
    }

    private static String text(ConsumerRecord<byte[], byte[]> r, String key) {
        Header h = r.headers().lastHeader(key);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
