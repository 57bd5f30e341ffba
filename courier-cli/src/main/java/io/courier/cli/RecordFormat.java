package io.courier.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.courier.core.Envelope;
import io.courier.core.internal.EnvelopeCodec;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * How {@code courier consume} prints a record: one line per record, keys, values and headers decoded as UTF-8
 * (bytes that are not UTF-8 become U+FFFD).
 */
enum RecordFormat {
    /** The value alone, {@code null} for a tombstone, as Kafka's console consumer prints it. */
    TEXT {
        @Override
        String format(ConsumerRecord<byte[], byte[]> record) {
            return String.valueOf(text(record.value()));
        }
    },

    /**
     * One JSON object with exactly {@code topic}, {@code partition}, {@code offset}, {@code timestamp} (epoch
     * milliseconds), {@code key} and {@code value} (strings or {@code null}) and {@code headers} (an object of
     * strings; for a header name that appears more than once, the last value; a header without a value is
     * {@code null}; Courier's binary envelope header, {@code courier}, in the text layout of the compact one).
     * Line breaks inside values are escaped, so that each record stays on one line.
     */
    JSON {
        @Override
        String format(ConsumerRecord<byte[], byte[]> record) {
            ObjectNode json = MAPPER.createObjectNode();
            json.put("topic", record.topic());
            json.put("partition", record.partition());
            json.put("offset", record.offset());
            json.put("timestamp", record.timestamp());
            json.put("key", text(record.key()));
            json.put("value", text(record.value()));
            ObjectNode headers = json.putObject("headers");
            for (Header h : record.headers()) {
                headers.put(h.key(), header(h));
            }
            try {
                return MAPPER.writeValueAsString(json);
            } catch (JsonProcessingException e) {
                // A tree of strings and numbers always serializes; this would be a Jackson bug.
                throw new IllegalStateException("cannot write " + record.topic() + "-" + record.partition() + "@"
                        + record.offset() + " as JSON: " + e.getMessage(), e);
            }
        }
    };

    private static final ObjectMapper MAPPER = new ObjectMapper();

    /**
     * @param record a record read as bytes
     * @return its line, without the line separator
     */
    abstract String format(ConsumerRecord<byte[], byte[]> record);

    private static String header(Header h) {
        if (Envelope.Headers.BINARY.equals(h.key()) && h.value() != null) {
            Optional<String> envelope = EnvelopeCodec.binaryAsText(h.value());
            if (envelope.isPresent()) {
                return envelope.get();
            }
        }
        return text(h.value());
    }

    private static String text(byte[] bytes) {
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }
}
