package io.courier.core.internal;

import io.courier.core.Envelope;
import io.courier.core.OutboundMessage;
import io.courier.core.SerdeException;
import io.courier.core.Topic;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Turns a typed message into a Kafka record with the envelope in its headers. */
final class OutgoingRecords {
    private OutgoingRecords() {}

    /** A record ready to send, and the message id written into it (as its header bytes: most callers never ask). */
    record Outgoing(ProducerRecord<byte[], byte[]> record, byte[] messageIdBytes) {
        String messageId() {
            return new String(messageIdBytes, StandardCharsets.ISO_8859_1);
        }
    }

    static <K, V> Outgoing build(Topic<K, V> topic, OutboundMessage<K, V> message, String source, Clock clock) {
        byte[] key = message.key() == null ? null : serialize(topic, "key", message.key(), topic.keySerde());
        byte[] value = serialize(topic, "value", message.value(), topic.valueSerde());
        if (message.headers().isEmpty() && message.correlationId().isEmpty() && message.causationId().isEmpty()
                && message.traceparent().isEmpty()) {
            // The common case, a new flow with no extra headers, runs per message: no Envelope, no id String.
            byte[] id = messageIdBytes();
            Integer partition = message.partition().isPresent() ? message.partition().getAsInt() : null;
            ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic.name(), partition, key, value);
            EnvelopeCodec.writeOrigin(record.headers(), id, topic.valueSerde().messageType(message.value()), source,
                    clock.millis(), topic.valueSerde().contentType());
            return new Outgoing(record, id);
        }
        String id = messageId();
        Envelope envelope = new Envelope(id, topic.valueSerde().messageType(message.value()),
                message.correlationId().orElse(id), message.causationId(), source,
                clock.instant().truncatedTo(ChronoUnit.MILLIS),
                topic.valueSerde().contentType(), message.traceparent());
        Integer partition = message.partition().isPresent() ? message.partition().getAsInt() : null;
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic.name(), partition, key, value);
        message.headers().forEach((k, v) -> record.headers().add(k, v.getBytes(StandardCharsets.UTF_8)));
        EnvelopeCodec.write(envelope, record.headers());
        return new Outgoing(record, id.getBytes(StandardCharsets.ISO_8859_1));
    }

    /**
     * A random (version 4) UUID from {@link ThreadLocalRandom}: ids must be unique, not unpredictable, and
     * {@link UUID#randomUUID()} goes through a shared {@code SecureRandom} on every message.
     */
    static String messageId() {
        return new String(messageIdBytes(), StandardCharsets.ISO_8859_1);
    }

    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.ISO_8859_1);

    /** The same id as the 36 ASCII bytes of its canonical text, written straight into the header. */
    static byte[] messageIdBytes() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long msb = (random.nextLong() & ~0xF000L) | 0x4000L;
        long lsb = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        byte[] b = new byte[36];
        hex(msb >>> 32, b, 0, 8);
        b[8] = '-';
        hex(msb >>> 16, b, 9, 4);
        b[13] = '-';
        hex(msb, b, 14, 4);
        b[18] = '-';
        hex(lsb >>> 48, b, 19, 4);
        b[23] = '-';
        hex(lsb, b, 24, 12);
        return b;
    }

    /** Writes the low {@code digits} hex digits of {@code value} into {@code b} from {@code at}. */
    private static void hex(long value, byte[] b, int at, int digits) {
        for (int i = digits - 1; i >= 0; i--) {
            b[at + i] = HEX[(int) (value & 0xF)];
            value >>>= 4;
        }
    }

    /** A follow-up message of a consumed one: same correlation id, causation id = the consumed message's id. */
    static <K, V> OutboundMessage<K, V> continuing(Envelope cause, K key, V value) {
        return continuing(cause, OutboundMessage.of(key, value));
    }

    /** Fills in the flow ids and trace context from {@code cause} where {@code message} does not set them. */
    static <K, V> OutboundMessage<K, V> continuing(Envelope cause, OutboundMessage<K, V> message) {
        OutboundMessage<K, V> m = message;
        if (m.correlationId().isEmpty()) {
            m = m.withCorrelationId(cause.correlationId());
        }
        if (m.causationId().isEmpty()) {
            m = m.withCausationId(cause.messageId());
        }
        Optional<String> traceparent = cause.traceparent();
        return traceparent.isPresent() && m.traceparent().isEmpty() ? m.withTraceparent(traceparent.get()) : m;
    }

    private static <T> byte[] serialize(Topic<?, ?> topic, String part, T value,
            io.courier.core.Serde<T> serde) {
        try {
            return serde.serialize(value);
        } catch (SerdeException e) {
            throw new SerdeException("cannot publish to topic '" + topic.name() + "': cannot serialize the " + part
                    + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new SerdeException("cannot publish to topic '" + topic.name() + "': the " + part
                    + " cannot be serialized with " + serde + ": " + e, e);
        }
    }
}
