package io.courier.core.internal;

import io.courier.core.Envelope;
import io.courier.core.EnvelopeFormat;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@link EnvelopeFormat#COMPACT} header: {@code 1|type|source|content type|epoch millis|id}, then
 * {@code |correlation id|causation id} when the message continues a flow. Thread-safe.
 */
final class CompactEnvelope {
    private static final String VERSION = "1";
    /** Type, source and content type take few distinct values: their encoded prefix is built once. */
    private static final Map<PrefixKey, byte[]> PREFIXES = new ConcurrentHashMap<>();

    private record PrefixKey(String type, String source, String contentType) {}

    private CompactEnvelope() {}

    /** The header value of a new flow's message (its own correlation id, no cause), built from its parts. */
    static byte[] origin(byte[] id, String type, String source, long epochMillis, String contentType) {
        if (epochMillis < 0) { // a clock before 1970: rare enough for the general path
            return of(new Envelope(new String(id, StandardCharsets.ISO_8859_1), type, new String(id,
                    StandardCharsets.ISO_8859_1), Optional.empty(), source, Instant.ofEpochMilli(epochMillis),
                    contentType, Optional.empty()));
        }
        byte[] prefix = prefix(type, source, contentType);
        byte[] millis = LAST_MILLIS.get().digits(epochMillis);
        byte[] out = new byte[prefix.length + millis.length + 1 + id.length];
        System.arraycopy(prefix, 0, out, 0, prefix.length);
        System.arraycopy(millis, 0, out, prefix.length, millis.length);
        out[prefix.length + millis.length] = '|';
        System.arraycopy(id, 0, out, prefix.length + millis.length + 1, id.length);
        return out;
    }

    /** The digits of the last millisecond written on this thread: a busy publisher writes hundreds per millisecond. */
    private static final ThreadLocal<LastMillis> LAST_MILLIS = ThreadLocal.withInitial(LastMillis::new);

    private static final class LastMillis {
        private long millis = -1;
        private byte[] digits;

        /** @return the ASCII decimal digits of {@code epochMillis}, not negative; never modify the array */
        byte[] digits(long epochMillis) {
            if (epochMillis != millis) {
                byte[] d = new byte[CompactEnvelope.digits(epochMillis)];
                long v = epochMillis;
                for (int i = d.length - 1; i >= 0; i--) {
                    d[i] = (byte) ('0' + v % 10);
                    v /= 10;
                }
                digits = d;
                millis = epochMillis;
            }
            return digits;
        }
    }

    /** The header value of any envelope; the creation time is written in whole milliseconds. */
    static byte[] of(Envelope e) {
        StringBuilder b = new StringBuilder(160).append(VERSION).append('|').append(escape(e.messageType()))
                .append('|').append(escape(e.source())).append('|').append(escape(e.contentType())).append('|')
                .append(e.createdAt().toEpochMilli()).append('|').append(escape(e.messageId()));
        if (!e.correlationId().equals(e.messageId()) || e.causationId().isPresent()) {
            b.append('|').append(escape(e.correlationId())).append('|').append(escape(e.causationId().orElse("")));
        }
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * @param value       the header's text
     * @param traceparent the separate {@code traceparent} header, if any
     * @return the envelope, or empty if the text is not a compact envelope of a known version
     */
    static Optional<Envelope> parse(String value, Optional<String> traceparent) {
        List<String> f = split(value);
        if (!known(f)) {
            return Optional.empty();
        }
        Instant created;
        try {
            created = Instant.ofEpochMilli(Long.parseLong(f.get(4)));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        String id = f.get(5);
        String correlation = f.size() == 8 && !f.get(6).isEmpty() ? f.get(6) : id;
        Optional<String> causation = f.size() == 8 && !f.get(7).isEmpty() ? Optional.of(f.get(7)) : Optional.empty();
        return Optional.of(new Envelope(id, f.get(1), correlation, causation, f.get(2), created, f.get(3),
                traceparent));
    }

    /** @return the message type of a compact envelope, or null if the text is not one */
    static String type(String value) {
        List<String> f = split(value);
        return known(f) ? f.get(1) : null;
    }

    /** A version this release reads, with its 6 or 8 fields, and an id, type, source and content type. */
    private static boolean known(List<String> f) {
        return VERSION.equals(f.get(0)) && (f.size() == 6 || f.size() == 8) && !f.get(1).isEmpty()
                && !f.get(2).isEmpty() && !f.get(3).isEmpty() && !f.get(5).isEmpty();
    }

    /** @return the explicit correlation id of a compact envelope, or null if it names none or is not one */
    static String correlationId(String value) {
        List<String> f = split(value);
        return known(f) && f.size() == 8 && !f.get(6).isEmpty() ? f.get(6) : null;
    }

    private static byte[] prefix(String type, String source, String contentType) {
        // A record key, not a concatenated String: its hash combines the Strings' cached hashes, so a lookup on the
        // publish path neither builds nor hashes a new String.
        PrefixKey key = new PrefixKey(type, source, contentType);
        byte[] p = PREFIXES.get(key);
        if (p == null) {
            p = (VERSION + '|' + escape(type) + '|' + escape(source) + '|' + escape(contentType) + '|')
                    .getBytes(StandardCharsets.UTF_8);
            if (PREFIXES.size() < 10_000) { // bounded, should someone use unique types
                PREFIXES.put(key, p);
            }
        }
        return p;
    }

    private static int digits(long v) {
        int d = 1;
        for (long x = v; x >= 10; x /= 10) {
            d++;
        }
        return d;
    }

    private static String escape(String s) {
        return s.indexOf('|') < 0 && s.indexOf('%') < 0 ? s : s.replace("%", "%25").replace("|", "%7C");
    }

    /**
     * The last header split per thread: a consumed record's header is read for its type, then its envelope, then
     * (for a reply) its correlation id.
     */
    private static final ThreadLocal<Split> LAST_SPLIT = ThreadLocal.withInitial(() -> new Split("", List.of("")));

    private record Split(String text, List<String> fields) {}

    private static List<String> split(String s) {
        Split last = LAST_SPLIT.get();
        if (!s.equals(last.text())) {
            last = new Split(s, decode(s));
            LAST_SPLIT.set(last);
        }
        return last.fields();
    }

    /** Splits on {@code |} and decodes {@code %7C} and {@code %25} in one pass. */
    private static List<String> decode(String s) {
        List<String> out = new ArrayList<>(8);
        StringBuilder field = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '|') {
                out.add(field.toString());
                field.setLength(0);
            } else if (c == '%' && (s.startsWith("%7C", i) || s.startsWith("%7c", i))) {
                field.append('|');
                i += 2;
            } else if (c == '%' && s.startsWith("%25", i)) {
                field.append('%');
                i += 2;
            } else {
                field.append(c);
            }
        }
        out.add(field.toString());
        return List.copyOf(out);
    }
}
