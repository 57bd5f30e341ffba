package io.courier.core.internal;

import io.courier.core.DeadLetter;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;

/** Copies a failed record, bytes and headers as they were, to the dead-letter topic with headers saying why. */
final class DeadLetterWriter {
    private static final int MAX_MESSAGE_CHARS = 2_000;

    private DeadLetterWriter() {}

    static ProducerRecord<byte[], byte[]> record(String deadLetterTopic, String group,
            ConsumerRecord<byte[], byte[]> failed, Throwable error, int attempts) {
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(deadLetterTopic, null, failed.key(), failed.value());
        for (Header h : failed.headers()) {
            record.headers().add(h.key(), h.value());
        }
        String message = String.valueOf(error.getMessage());
        put(record, DeadLetter.Headers.ORIGINAL_TOPIC, failed.topic());
        put(record, DeadLetter.Headers.ORIGINAL_PARTITION, Integer.toString(failed.partition()));
        put(record, DeadLetter.Headers.ORIGINAL_OFFSET, Long.toString(failed.offset()));
        put(record, DeadLetter.Headers.EXCEPTION_CLASS, error.getClass().getName());
        put(record, DeadLetter.Headers.EXCEPTION_MESSAGE,
                message.length() > MAX_MESSAGE_CHARS ? message.substring(0, MAX_MESSAGE_CHARS) + "..." : message);
        put(record, DeadLetter.Headers.ATTEMPTS, Integer.toString(attempts));
        put(record, DeadLetter.Headers.GROUP, group);
        return record;
    }

    private static void put(ProducerRecord<byte[], byte[]> record, String key, String value) {
        record.headers().remove(key);
        record.headers().add(key, value.getBytes(StandardCharsets.UTF_8));
    }
}
