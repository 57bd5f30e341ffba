package io.courier.core.internal;

import io.courier.core.Envelope;
import io.courier.core.EnvelopeFormat;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@link EnvelopeFormat#BINARY} header value:
 * <pre>
 * flags      1 byte: 0x10 (format 1) | 0x01 correlation id follows | 0x02 causation id follows | 0x04 time before 1970
 * id         see below
 * created    epoch milliseconds, absolute value, unsigned varint
 * content    unsigned varint: 1 application/json, 2 application/octet-stream, 3 text/plain; charset=utf-8,
 *            0 = a string follows
 * type       string
 * source     string
 * [corr id]  [causation id]
 * </pre>
 * A string is an unsigned varint length and UTF-8 bytes. An id is 0 and the 16 bytes of a UUID when it is one in
 * canonical lower-case form, otherwise its length + 1 and UTF-8 bytes. Thread-safe.
 */
final class BinaryEnvelope {
    private static final int FORMAT = 0x10;
    private static final int HAS_CORRELATION = 0x01;
    private static final int HAS_CAUSATION = 0x02;
    private static final int BEFORE_1970 = 0x04;
    private static final String[] CONTENT_TYPES = {null, "application/json", "application/octet-stream",
        "text/plain; charset=utf-8"};
    /** Content type, type and source take few distinct values: their encoding is built once. */
    private static final Map<Tail, byte[]> TAILS = new ConcurrentHashMap<>();

    /**
     * The tail used last, null before the first: a publisher writes the same one message after message, and a map
     * lookup (a key to allocate and hash) costs more than three string comparisons.
     */
    private static volatile LastTail last;

    private record Tail(String type, String source, String contentType) {}

    private record LastTail(Tail key, byte[] bytes) {}

    private BinaryEnvelope() {}

    /**
     * The header value of a new flow's message (its own correlation id, no cause), built from its parts.
     *
     * @param uuid the message id's 16 bytes
     */
    static byte[] origin(byte[] uuid, String type, String source, long epochMillis, String contentType) {
        byte[] tail = tail(type, source, contentType);
        Out out = new Out(1 + 17 + varintSize(Math.abs(epochMillis)) + tail.length);
        out.write(FORMAT | (epochMillis < 0 ? BEFORE_1970 : 0));
        out.write(0);
        out.write(uuid);
        out.varint(Math.abs(epochMillis));
        out.write(tail);
        return out.toByteArray();
    }

    private static int varintSize(long v) {
        int n = 1;
        for (long x = v >>> 7; x != 0; x >>>= 7) {
            n++;
        }
        return n;
    }

    /** The header value of any envelope; the creation time is written in whole milliseconds. */
    static byte[] of(Envelope e) {
        boolean correlation = !e.correlationId().equals(e.messageId());
        long millis = e.createdAt().toEpochMilli();
        Out out = new Out(128);
        out.write(FORMAT | (correlation ? HAS_CORRELATION : 0) | (e.causationId().isPresent() ? HAS_CAUSATION : 0)
                | (millis < 0 ? BEFORE_1970 : 0));
        out.id(e.messageId().getBytes(StandardCharsets.UTF_8));
        out.varint(Math.abs(millis));
        out.write(tail(e.messageType(), e.source(), e.contentType()));
        if (correlation) {
            out.id(e.correlationId().getBytes(StandardCharsets.UTF_8));
        }
        e.causationId().ifPresent(c -> out.id(c.getBytes(StandardCharsets.UTF_8)));
        return out.toByteArray();
    }

    /**
     * @param value       the header's bytes
     * @param traceparent the separate {@code traceparent} header, if any
     * @return the envelope, or empty if the bytes are not a binary envelope of a known format
     */
    static Optional<Envelope> parse(byte[] value, Optional<String> traceparent) {
        if (value.length == 0) {
            return Optional.empty();
        }
        In in = new In(value);
        try {
            int flags = in.read();
            if ((flags & 0xF0) != FORMAT || (flags & 0x08) != 0) {
                return Optional.empty();
            }
            String id = in.id();
            long millis = in.varint();
            Instant created = Instant.ofEpochMilli((flags & BEFORE_1970) != 0 ? -millis : millis);
            int code = (int) in.varint();
            String contentType = code == 0 ? in.string() : code < CONTENT_TYPES.length ? CONTENT_TYPES[code] : null;
            String type = in.string();
            String source = in.string();
            String correlation = (flags & HAS_CORRELATION) != 0 ? in.id() : id;
            Optional<String> causation = (flags & HAS_CAUSATION) != 0 ? Optional.of(in.id()) : Optional.empty();
            if (contentType == null || !in.atEnd() || id.isEmpty() || type.isEmpty() || source.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(new Envelope(id, type, correlation, causation, source, created, contentType,
                    traceparent));
        } catch (IndexOutOfBoundsException | ArithmeticException | java.time.DateTimeException e) {
            return Optional.empty(); // truncated or out of range: not an envelope this release can read
        }
    }

    private static byte[] tail(String type, String source, String contentType) {
        LastTail l = last;
        if (l != null && l.key.type.equals(type) && l.key.source.equals(source) && l.key.contentType.equals(contentType)) {
            return l.bytes;
        }
        Tail key = new Tail(type, source, contentType);
        byte[] t = TAILS.get(key);
        if (t == null) {
            Out out = new Out(64);
            int code = 0;
            for (int i = 1; i < CONTENT_TYPES.length; i++) {
                if (CONTENT_TYPES[i].equals(contentType)) {
                    code = i;
                }
            }
            out.varint(code);
            if (code == 0) {
                out.string(contentType.getBytes(StandardCharsets.UTF_8));
            }
            out.string(type.getBytes(StandardCharsets.UTF_8));
            out.string(source.getBytes(StandardCharsets.UTF_8));
            t = out.toByteArray();
            if (TAILS.size() < 10_000) { // bounded, should someone use unique types
                TAILS.put(key, t);
            }
        }
        last = new LastTail(key, t);
        return t;
    }

    /** @return the 16 bytes of {@code text} if it is a UUID in canonical lower-case form, else null */
    static byte[] uuid(byte[] text) {
        if (text.length != 36 || text[8] != '-' || text[13] != '-' || text[18] != '-' || text[23] != '-') {
            return null;
        }
        byte[] out = new byte[16];
        int n = 0;
        for (int i = 0; i < 36; i += i == 6 || i == 11 || i == 16 || i == 21 ? 3 : 2) {
            int hi = nibble(text[i]);
            int lo = nibble(text[i + 1]);
            if (hi < 0 || lo < 0) {
                return null;
            }
            out[n++] = (byte) (hi << 4 | lo);
        }
        return out;
    }

    private static int nibble(byte c) {
        return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    }

    /** A growing byte array: the header is built on the publish path, so no stream and no locks. */
    private static final class Out {
        private byte[] buf;
        private int size;

        Out(int capacity) {
            buf = new byte[capacity];
        }

        void write(int b) {
            if (size == buf.length) {
                buf = Arrays.copyOf(buf, size * 2);
            }
            buf[size++] = (byte) b;
        }

        void write(byte[] b, int from, int length) {
            if (size + length > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + length));
            }
            System.arraycopy(b, from, buf, size, length);
            size += length;
        }

        void write(byte[] b) {
            write(b, 0, b.length);
        }

        void varint(long v) {
            while ((v & ~0x7FL) != 0) {
                write((int) ((v & 0x7F) | 0x80));
                v >>>= 7;
            }
            write((int) v);
        }

        void string(byte[] utf8) {
            varint(utf8.length);
            write(utf8);
        }

        void id(byte[] utf8) {
            byte[] uuid = uuid(utf8);
            if (uuid != null) {
                write(0);
                write(uuid);
            } else {
                varint(utf8.length + 1L);
                write(utf8);
            }
        }

        byte[] toByteArray() {
            return size == buf.length ? buf : Arrays.copyOf(buf, size);
        }
    }

    private static final class In {
        private final byte[] b;
        private int at;

        In(byte[] b) {
            this.b = b;
        }

        int read() {
            return b[at++] & 0xFF;
        }

        long varint() {
            long v = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                int x = read();
                v |= (long) (x & 0x7F) << shift;
                if ((x & 0x80) == 0) {
                    return v;
                }
            }
            throw new ArithmeticException("varint longer than 64 bits");
        }

        String string() {
            return text(Math.toIntExact(varint()));
        }

        String id() {
            long tag = varint();
            if (tag == 0) {
                if (at + 16 > b.length) {
                    throw new IndexOutOfBoundsException("a UUID needs 16 bytes");
                }
                String id = MessageIds.text(b, at);
                at += 16;
                return id;
            }
            return text(Math.toIntExact(tag - 1));
        }

        private String text(int length) {
            if (length < 0 || at + length > b.length) {
                throw new IndexOutOfBoundsException("a string of " + length + " bytes at " + at);
            }
            String s = new String(b, at, length, StandardCharsets.UTF_8);
            at += length;
            return s;
        }

        boolean atEnd() {
            return at == b.length;
        }
    }
}
