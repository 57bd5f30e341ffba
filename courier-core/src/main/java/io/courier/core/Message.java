package io.courier.core;

import java.time.Instant;
import java.util.Map;

/**
 * A consumed message: the typed key and value, the envelope, and where it came from.
 *
 * @param topic     the topic
 * @param partition the partition
 * @param offset    the offset in the partition
 * @param timestamp the record's timestamp
 * @param key       the key, or {@code null}
 * @param value     the value
 * @param envelope  the envelope; for a record written without one (by a plain Kafka client), an envelope with
 *                  generated ids, type from the value's class, and the record's timestamp
 * @param headers   the headers that are not part of the envelope, as UTF-8 strings
 * @param <K>       the key type
 * @param <V>       the value type
 */
public record Message<K, V>(String topic, int partition, long offset, Instant timestamp, K key, V value,
        Envelope envelope, Map<String, String> headers) {

    public Message {
        headers = Map.copyOf(headers);
    }

    /** @return {@code topic-partition@offset}, as used in log lines and error messages */
    public String coordinates() {
        return topic + "-" + partition + "@" + offset;
    }
}
