package io.courier.core.internal;

import io.courier.core.Envelope;
import io.courier.core.EnvelopeFormat;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeader;

/** Writes an {@link Envelope} into record headers and reads it back. */
public final class EnvelopeCodec {

    private EnvelopeCodec() {}

    /**
     * The few distinct values of source, type and content type, encoded once: the publish path runs per message,
     * and Kafka never mutates a header's bytes.
     */
    private static final Map<String, Map<String, Header>> CONSTANT_HEADERS = new ConcurrentHashMap<>();
    private static final Header SPEC_VERSION_HEADER = new RecordHeader(Envelope.Headers.SPEC_VERSION,
            "1.0".getBytes(StandardCharsets.UTF_8));
    /** The last parsed ce_time per thread, text and value. */
    private static final ThreadLocal<Object[]> LAST_PARSED = ThreadLocal.withInitial(() -> new Object[2]);
    /** The last compact header decoded per thread: one record's is read up to three times. */
    private static final ThreadLocal<Decoded<String>> LAST_COMPACT = ThreadLocal.withInitial(Decoded::new);
    /** The last binary header decoded per thread (null: one this release cannot read). */
    private static final ThreadLocal<Decoded<Envelope>> LAST_BINARY = ThreadLocal.withInitial(Decoded::new);
    /** The last formatted ce_time per thread: consecutive messages mostly share a millisecond. */
    private static final ThreadLocal<Object[]> LAST_TIME = ThreadLocal.withInitial(() -> new Object[] {Long.MIN_VALUE, null});

    /** Appends the envelope; the headers must not hold envelope headers already (user headers are fine). */
    public static void write(Envelope e, Headers headers, EnvelopeFormat format) {
        if (format == EnvelopeFormat.COMPACT) {
            headers.add(Envelope.Headers.COMPACT, CompactEnvelope.of(e));
            e.traceparent().ifPresent(tp -> add(headers, Envelope.Headers.TRACEPARENT, tp));
            return;
        }
        if (format == EnvelopeFormat.BINARY) {
            headers.add(Envelope.Headers.BINARY, BinaryEnvelope.of(e));
            e.traceparent().ifPresent(tp -> add(headers, Envelope.Headers.TRACEPARENT, tp));
            return;
        }
        headers.add(SPEC_VERSION_HEADER);
        add(headers, Envelope.Headers.ID, e.messageId());
        headers.add(constant(Envelope.Headers.TYPE, e.messageType()));
        headers.add(constant(Envelope.Headers.SOURCE, e.source()));
        headers.add(Envelope.Headers.TIME, time(e.createdAt()));
        headers.add(constant(Envelope.Headers.CONTENT_TYPE, e.contentType()));
        // A flow's first message is its own correlation id; readers default to the id, so 52 bytes are saved.
        if (!e.correlationId().equals(e.messageId())) {
            add(headers, Envelope.Headers.CORRELATION_ID, e.correlationId());
        }
        e.causationId().ifPresent(id -> add(headers, Envelope.Headers.CAUSATION_ID, id));
        e.traceparent().ifPresent(tp -> add(headers, Envelope.Headers.TRACEPARENT, tp));
    }

    private static void add(Headers headers, String key, String value) {
        headers.add(key, value.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The envelope of a new flow's message, written straight from its parts: the publishing hot path.
     *
     * @param id        the message id as the ASCII bytes of a UUID in canonical lower-case form
     * @param epochMillis the creation time
     */
    static void writeOrigin(Headers headers, byte[] id, String type, String source, long epochMillis,
            String contentType, EnvelopeFormat format) {
        if (format == EnvelopeFormat.COMPACT) {
            headers.add(Envelope.Headers.COMPACT, CompactEnvelope.origin(id, type, source, epochMillis, contentType));
            return;
        }
        if (format == EnvelopeFormat.BINARY) { // the publisher calls writeBinaryOrigin; this keeps every format total
            writeBinaryOrigin(headers, BinaryEnvelope.uuid(id), type, source, epochMillis, contentType);
            return;
        }
        headers.add(SPEC_VERSION_HEADER);
        headers.add(Envelope.Headers.ID, id);
        headers.add(constant(Envelope.Headers.TYPE, type));
        headers.add(constant(Envelope.Headers.SOURCE, source));
        headers.add(Envelope.Headers.TIME, time(epochMillis));
        headers.add(constant(Envelope.Headers.CONTENT_TYPE, contentType));
    }

    /**
     * The {@link EnvelopeFormat#BINARY} envelope of a new flow's message, written straight from its parts: the
     * publishing hot path.
     *
     * @param uuid the message id's 16 bytes, as {@link MessageIds#nextUuid()} makes them
     */
    static void writeBinaryOrigin(Headers headers, byte[] uuid, String type, String source, long epochMillis,
            String contentType) {
        headers.add(Envelope.Headers.BINARY, BinaryEnvelope.origin(uuid, type, source, epochMillis, contentType));
    }

    /**
     * One shared header per name and value: Kafka only reads a header's key and value, so the few distinct types,
     * sources and content types need not be allocated per message.
     */
    private static Header constant(String name, String value) {
        Map<String, Header> byValue = CONSTANT_HEADERS.computeIfAbsent(name, n -> new ConcurrentHashMap<>());
        Header h = byValue.get(value);
        if (h == null) {
            h = new RecordHeader(name, value.getBytes(StandardCharsets.UTF_8));
            if (byValue.size() < 10_000) { // bounded, should someone put unique values here
                byValue.put(value, h);
            }
        }
        return h;
    }

    private static byte[] time(long epochMillis) {
        Object[] last = LAST_TIME.get();
        if ((long) last[0] != epochMillis) {
            last[0] = epochMillis;
            last[1] = Instant.ofEpochMilli(epochMillis).toString().getBytes(StandardCharsets.UTF_8);
        }
        return (byte[]) last[1];
    }

    private static byte[] time(Instant createdAt) {
        Object[] last = LAST_TIME.get();
        long millis = createdAt.toEpochMilli();
        if ((long) last[0] != millis || createdAt.getNano() % 1_000_000 != 0) {
            last[0] = createdAt.getNano() % 1_000_000 == 0 ? millis : Long.MIN_VALUE;
            last[1] = createdAt.toString().getBytes(StandardCharsets.UTF_8);
        }
        return (byte[]) last[1];
    }

    /** @return the message type header, or null for a record written without an envelope */
    public static String messageType(Headers headers) {
        Envelope binary = binary(headers);
        if (binary != null) {
            return binary.messageType();
        }
        String compact = compactText(headers);
        String type = compact == null ? null : CompactEnvelope.type(compact);
        return type != null ? type : text(headers, Envelope.Headers.TYPE);
    }

    /**
     * Reads the envelope; a record written by a plain Kafka client gets one made of the fallbacks, with its
     * coordinates as message id so that the id is stable across redeliveries.
     */
    public static Envelope read(Headers headers, String fallbackId, String fallbackType, String fallbackContentType,
            Instant recordTime) {
        Envelope binary = binary(headers);
        if (binary != null) {
            return binary;
        }
        String compact = compactText(headers);
        if (compact != null) {
            Optional<Envelope> e = CompactEnvelope.parse(compact, Optional.ofNullable(text(headers,
                    Envelope.Headers.TRACEPARENT)));
            if (e.isPresent()) {
                return e.get();
            }
            // Not a version this release knows: read what the other headers and the fallbacks give.
        }
        String id = orElse(text(headers, Envelope.Headers.ID), fallbackId);
        Instant created = recordTime;
        String time = text(headers, Envelope.Headers.TIME);
        if (time != null) {
            Object[] last = LAST_PARSED.get();
            if (time.equals(last[0])) {
                created = (Instant) last[1]; // consecutive messages mostly share a millisecond
            } else {
                try {
                    created = Instant.parse(time);
                    last[0] = time;
                    last[1] = created;
                } catch (DateTimeParseException ignored) {
                    // A foreign producer's malformed time is no reason to refuse the message: keep the record time.
                }
            }
        }
        return new Envelope(id, orElse(text(headers, Envelope.Headers.TYPE), fallbackType),
                orElse(text(headers, Envelope.Headers.CORRELATION_ID), id),
                Optional.ofNullable(text(headers, Envelope.Headers.CAUSATION_ID)),
                orElse(text(headers, Envelope.Headers.SOURCE), "unknown"), created,
                orElse(text(headers, Envelope.Headers.CONTENT_TYPE), fallbackContentType),
                Optional.ofNullable(text(headers, Envelope.Headers.TRACEPARENT)));
    }

    /**
     * @return the correlation id the envelope names explicitly, in either format, or null when it names none (a
     *     new flow's message is its own correlation id)
     */
    public static String correlationId(Headers headers) {
        Envelope binary = binary(headers);
        if (binary != null && !binary.correlationId().equals(binary.messageId())) {
            return binary.correlationId();
        }
        String compact = compactText(headers);
        if (compact != null) {
            String id = CompactEnvelope.correlationId(compact);
            if (id != null) {
                return id;
            }
        }
        return text(headers, Envelope.Headers.CORRELATION_ID);
    }

    /** @return the headers that are not part of the envelope, last value winning, as UTF-8 text */
    public static Map<String, String> userHeaders(Headers headers) {
        Map<String, String> user = null;
        for (Header h : headers) {
            if (!Envelope.Headers.ALL.contains(h.key()) && h.value() != null) {
                if (user == null) {
                    user = new LinkedHashMap<>();
                }
                user.put(h.key(), new String(h.value(), StandardCharsets.UTF_8));
            }
        }
        return user == null ? Map.of() : user; // most messages carry none: no map per message
    }

    /** @return the last value of header {@code key} as UTF-8 text, or null if absent */
    public static String text(Headers headers, String key) {
        Header h = headers.lastHeader(key);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    /** The compact header's text, or null without one. */
    private static String compactText(Headers headers) {
        return decodedOnce(headers, Envelope.Headers.COMPACT, LAST_COMPACT, (value, all) -> new String(value,
                StandardCharsets.UTF_8));
    }

    /**
     * @return the binary header's envelope, or null if the record has no binary header, or one this release cannot
     *     read (the other headers and the fallbacks then apply)
     */
    private static Envelope binary(Headers headers) {
        return decodedOnce(headers, Envelope.Headers.BINARY, LAST_BINARY, (value, all) -> BinaryEnvelope.parse(value,
                Optional.ofNullable(text(all, Envelope.Headers.TRACEPARENT))).orElse(null));
    }

    /** A thread's last decoded header value: the value array it came from, and what it decoded to. */
    private static final class Decoded<T> {
        byte[] from;
        T to;
    }

    /**
     * Header {@code name} decoded once per record, however often it is read: Kafka hands out the same value array on
     * each read.
     *
     * @param decode from the value and all the record's headers; stateless, so that no lambda is made per call
     * @return the decoded value, or null if the record has no such header (or {@code decode} gave null)
     */
    private static <T> T decodedOnce(Headers headers, String name, ThreadLocal<Decoded<T>> slot,
            java.util.function.BiFunction<byte[], Headers, T> decode) {
        Header h = headers.lastHeader(name);
        byte[] value = h == null ? null : h.value();
        if (value == null) {
            return null;
        }
        Decoded<T> last = slot.get();
        if (last.from != value) {
            last.from = value;
            last.to = decode.apply(value, headers);
        }
        return last.to;
    }

    /**
     * A binary envelope header as readable text, in the {@link EnvelopeFormat#COMPACT} layout, for tools that print
     * headers.
     *
     * @return the text, or empty if the bytes are not a binary envelope this release can read
     */
    public static Optional<String> binaryAsText(byte[] value) {
        return BinaryEnvelope.parse(value, Optional.empty())
                .map(e -> new String(CompactEnvelope.of(e), StandardCharsets.UTF_8));
    }

    private static String orElse(String value, String fallback) {
        return value == null || value.isEmpty() ? fallback : value;
    }
}
