package io.courier.core.internal;

import io.courier.core.Envelope;
import io.courier.core.CourierConfig;
import io.courier.core.EnvelopeFormat;
import io.courier.core.OutboundMessage;
import io.courier.core.SerdeException;
import io.courier.core.Topic;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Turns a typed message into a Kafka record with the envelope in its headers. */
final class OutgoingRecords {
    private OutgoingRecords() {}

    /**
     * A record ready to send, and the message id written into it, as the bytes it was written from: most callers
     * never ask for it.
     *
     * @param messageIdBytes the id's 16 bytes if {@code uuid}, else the ASCII bytes of its text
     */
    record Outgoing(ProducerRecord<byte[], byte[]> record, byte[] messageIdBytes, boolean uuid) {
        String messageId() {
            return uuid ? MessageIds.text(messageIdBytes, 0) : new String(messageIdBytes, StandardCharsets.ISO_8859_1);
        }
    }

    static <K, V> Outgoing build(Topic<K, V> topic, OutboundMessage<K, V> message, CourierConfig config) {
        byte[] key = message.key() == null ? null : serialize(topic, "key", message.key(), topic.keySerde());
        byte[] value = serialize(topic, "value", message.value(), topic.valueSerde());
        Integer partition = message.partition().isPresent() ? message.partition().getAsInt() : null;
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic.name(), partition, key, value);
        message.headers().forEach((k, v) -> record.headers().add(k, v.getBytes(StandardCharsets.UTF_8)));
        String type = topic.valueSerde().messageType(message.value());
        if (type == null || type.isEmpty()) { // a reader would take the whole envelope for a broken one
            throw new SerdeException("the value serde of topic '" + topic.name() + "' gave a value of "
                    + message.value().getClass().getName() + " no message type; expected a non-empty name");
        }
        if (message.correlationId().isEmpty() && message.causationId().isEmpty() && message.traceparent().isEmpty()) {
            // The common case, a new flow, runs per message: no Envelope, no id String.
            if (config.envelopeFormat() == EnvelopeFormat.BINARY) {
                byte[] uuid = MessageIds.nextUuid();
                EnvelopeCodec.writeBinaryOrigin(record.headers(), uuid, type, config.serviceName(),
                        config.clock().millis(), topic.valueSerde().contentType());
                return new Outgoing(record, uuid, true);
            }
            byte[] id = MessageIds.nextBytes();
            EnvelopeCodec.writeOrigin(record.headers(), id, type, config.serviceName(), config.clock().millis(),
                    topic.valueSerde().contentType(), config.envelopeFormat());
            return new Outgoing(record, id, false);
        }
        String id = MessageIds.next();
        Envelope envelope = new Envelope(id, type, message.correlationId().orElse(id), message.causationId(),
                config.serviceName(), config.clock().instant().truncatedTo(ChronoUnit.MILLIS),
                topic.valueSerde().contentType(), message.traceparent());
        EnvelopeCodec.write(envelope, record.headers(), config.envelopeFormat());
        return new Outgoing(record, id.getBytes(StandardCharsets.ISO_8859_1), false);
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
