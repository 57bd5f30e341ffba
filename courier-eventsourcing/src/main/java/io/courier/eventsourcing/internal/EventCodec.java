package io.courier.eventsourcing.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.courier.common.CourierException;
import io.courier.common.JvmErrors;
import io.courier.core.Envelope;
import io.courier.core.EnvelopeFormat;
import io.courier.core.Serde;
import io.courier.core.Serdes;
import io.courier.core.internal.EnvelopeCodec;
import io.courier.core.internal.MessageIds;
import io.courier.eventsourcing.Aggregate;
import io.courier.eventsourcing.EventHeaders;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.apache.kafka.common.header.Headers;

/** Events and states in bytes and back; old event schemas are upcast on the way in. Thread-safe. */
public final class EventCodec<S, C, E> {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Aggregate<S, C, E> aggregate;
    private final Serde<S> states;
    /**
     * The state type is sealed (a hierarchy of states): its JSON alone does not say which record to read it as, so
     * the stored form names the concrete type too. Any other type keeps the plain form.
     */
    private final boolean typed;

    public EventCodec(Aggregate<S, C, E> aggregate) {
        this.aggregate = aggregate;
        this.states = Serdes.json(aggregate.stateType());
        this.typed = aggregate.stateType().isSealed();
    }

    /** A decoded event and the aggregate version it brings the aggregate to. */
    public record Decoded<E>(E event, long version) {}

    /** @return the event's bytes, JSON of its current schema */
    public byte[] encode(E event) {
        return aggregate.events().serialize(event);
    }

    /** @return the event's type name, as the envelope's message type */
    public String type(E event) {
        return aggregate.events().messageType(event);
    }

    /**
     * @throws CourierException naming the coordinates if the record is not an event of this aggregate
     */
    public Decoded<E> decode(byte[] value, Headers headers, String where) {
        return decode(value, EnvelopeCodec.messageType(headers),
                EnvelopeCodec.text(headers, EventHeaders.AGGREGATE_VERSION),
                EnvelopeCodec.text(headers, EventHeaders.SCHEMA_VERSION), where);
    }

    /**
     * @throws CourierException naming the coordinates if the record is not an event of this aggregate
     */
    public Decoded<E> decode(byte[] value, String type, String version, String schemaText, String where) {
        if (type == null || version == null || value == null) {
            throw new CourierException("record " + where + " is not an event of aggregate '" + aggregate.name()
                    + "': it lacks " + (value == null ? "a value" : type == null ? "an event type (header "
                    + Envelope.Headers.COMPACT + " or " + Envelope.Headers.TYPE + ")" : EventHeaders.AGGREGATE_VERSION));
        }
        int schema = (int) positive(schemaText == null ? "1" : schemaText, EventHeaders.SCHEMA_VERSION,
                Integer.MAX_VALUE, type, where);
        long aggregateVersion = positive(version, EventHeaders.AGGREGATE_VERSION, Long.MAX_VALUE, type, where);
        byte[] current = upcast(type, schema, value, where);
        try {
            return new Decoded<>(aggregate.events().deserialize(current, type), aggregateVersion);
        } catch (Throwable e) { // a serde's errors too, named as its exceptions are
            JvmErrors.rethrowIfJvms(e);
            throw new CourierException("cannot read event " + where + " of type '" + type + "' (schema " + schema
                    + "): " + e.getMessage(), e);
        }
    }

    /** @return the header's value, a number from 1 up to {@code max} */
    private static long positive(String text, String header, long max, String type, String where) {
        try {
            long n = Long.parseLong(text.trim());
            if (n >= 1 && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // named below
        }
        throw new CourierException("event " + where + " of type '" + type + "' has header " + header + "='" + text
                + "'; expected a number from 1 up");
    }

    private byte[] upcast(String type, int schema, byte[] value, String where) {
        Map<Integer, UnaryOperator<ObjectNode>> steps = aggregate.upcasters().get(type);
        int latest = aggregate.schemaVersion(type);
        if (schema > latest) {
            throw new CourierException("event " + where + " of type '" + type + "' has schema version " + schema
                    + ", newer than this reader's " + latest + "; deploy the newer reader");
        }
        if (schema == latest) {
            return value;
        }
        try {
            JsonNode node = JSON.readTree(value);
            if (!(node instanceof ObjectNode object)) {
                throw new CourierException("event " + where + " of type '" + type + "' is not a JSON object");
            }
            ObjectNode current = object;
            for (int v = schema; v < latest; v++) {
                try {
                    current = steps.get(v).apply(current);
                } catch (Throwable e) { // an upcaster's errors too
                    JvmErrors.rethrowIfJvms(e);
                    throw new CourierException("the upcaster of '" + type + "' from schema " + v + " failed on event "
                            + where + ": " + e, e);
                }
            }
            return JSON.writeValueAsBytes(current);
        } catch (IOException e) {
            throw new CourierException("event " + where + " of type '" + type + "' is not JSON: " + e.getMessage(), e);
        }
    }

    /**
     * @return the stored form of a state: its version, then its JSON; for a sealed state type, the version, the
     *     concrete type's name (2-byte length, UTF-8), then the JSON
     */
    public byte[] encodeState(long version, S state) {
        byte[] json = state == null ? new byte[0] : states.serialize(state);
        if (!typed || state == null) {
            return ByteBuffer.allocate(8 + json.length).putLong(version).put(json).array();
        }
        byte[] type = states.messageType(state).getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(8 + 2 + type.length + json.length).putLong(version).putShort((short) type.length)
                .put(type).put(json).array();
    }

    /**
     * @return the version of a stored state, 0 for none
     * @throws CourierException if the stored form is too short to hold a version
     */
    public long storedVersion(byte[] stored) {
        if (stored == null) {
            return 0;
        }
        if (stored.length < 8) {
            throw new CourierException("stored state of " + stored.length + " bytes is shorter than its 8-byte "
                    + "version; it was not written by this release");
        }
        return ByteBuffer.wrap(stored).getLong();
    }

    public S storedState(byte[] stored) {
        if (stored == null || stored.length <= 8) {
            return null;
        }
        // JSON alone: an untyped state, or a sealed one stored before its type was (a type name's length never
        // starts with '{').
        if (!typed || stored.length < 10 || stored[8] == '{') {
            return states.deserialize(Arrays.copyOfRange(stored, 8, stored.length), null);
        }
        ByteBuffer b = ByteBuffer.wrap(stored, 8, stored.length - 8);
        int length = b.getShort() & 0xFFFF;
        if (length > b.remaining()) {
            throw new CourierException("stored state of " + stored.length + " bytes names a type of " + length
                    + " bytes; it was not written by this release");
        }
        byte[] type = new byte[length];
        b.get(type);
        return states.deserialize(Arrays.copyOfRange(stored, b.position(), stored.length),
                new String(type, StandardCharsets.UTF_8));
    }

    /** Writes Courier's envelope of an event that a command caused. */
    static void envelope(Headers headers, String type, String source, Envelope command, java.time.Instant now,
            EnvelopeFormat format) {
        EnvelopeCodec.write(new Envelope(MessageIds.next(), type, command.correlationId(),
                java.util.Optional.of(command.messageId()), source, now, "application/json", command.traceparent()),
                headers, format);
    }
}
