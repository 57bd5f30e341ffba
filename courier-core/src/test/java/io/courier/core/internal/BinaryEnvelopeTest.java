package io.courier.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.core.Envelope;
import io.courier.core.EnvelopeFormat;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BinaryEnvelopeTest {
    private static final Instant NOW = Instant.parse("2026-11-25T10:15:30.123Z");
    private static final String TRACE = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    @Test
    void roundTripsAFlowsMessageWithUuidsTextIdsAndTraceContext() {
        Envelope e = new Envelope(MessageIds.next(), "OrderPlaced", "order-42", Optional.of(MessageIds.next()),
                "orders|eu", NOW, "application/json", Optional.of(TRACE));
        RecordHeaders headers = new RecordHeaders();
        headers.add("tenant", "acme".getBytes(StandardCharsets.UTF_8));
        EnvelopeCodec.write(e, headers, EnvelopeFormat.BINARY);

        assertThat(headers.toArray()).extracting(h -> h.key()).containsExactly("tenant", "courier", "traceparent");
        assertThat(EnvelopeCodec.read(headers, "fallback", "T", "x", Instant.EPOCH)).isEqualTo(e);
        assertThat(EnvelopeCodec.messageType(headers)).isEqualTo("OrderPlaced");
        assertThat(EnvelopeCodec.correlationId(headers)).isEqualTo("order-42");
        assertThat(EnvelopeCodec.userHeaders(headers)).containsExactly(java.util.Map.entry("tenant", "acme"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"application/json", "application/octet-stream", "text/plain; charset=utf-8",
        "application/avro", "ünïcode/type"})
    void roundTripsKnownAndOtherContentTypes(String contentType) {
        Envelope e = new Envelope("not-a-uuid", "Typé", "not-a-uuid", Optional.empty(), "svc", NOW, contentType,
                Optional.empty());
        assertThat(BinaryEnvelope.parse(BinaryEnvelope.of(e), Optional.empty())).contains(e);
    }

    @Test
    void keepsIdsThatOnlyLookLikeUuidsAsTheyWereWritten() {
        String upper = "4BF92F35-77B3-4DA6-A3CE-929D0E0E4736";
        Envelope e = new Envelope(upper, "T", upper, Optional.of("4bf92f35-77b3-4da6-a3ce-929d0e0e473g"), "svc",
                NOW, "application/json", Optional.empty());
        assertThat(BinaryEnvelope.parse(BinaryEnvelope.of(e), Optional.empty())).contains(e);
    }

    @Test
    void roundTripsTimesBeforeAndLongAfter1970() {
        for (Instant t : new Instant[] {Instant.EPOCH, Instant.parse("1969-07-20T20:17:40.001Z"),
            Instant.parse("2999-12-31T23:59:59.999Z")}) {
            Envelope e = new Envelope(MessageIds.next(), "T", "c", Optional.empty(), "svc", t, "application/json",
                    Optional.empty());
            assertThat(BinaryEnvelope.parse(BinaryEnvelope.of(e), Optional.empty()).orElseThrow().createdAt())
                    .isEqualTo(t);
        }
    }

    @Test
    void writesTheDocumentedLayoutByteForByte() {
        Envelope flow = new Envelope("4bf92f35-77b3-4da6-a3ce-929d0e0e4736", "OrderPlaced", "order-42",
                Optional.of("11111111-2222-3333-4444-555555555555"), "checkout", NOW, "text/plain; charset=utf-8",
                Optional.empty());

        assertThat(hex(BinaryEnvelope.of(flow))).isEqualTo(String.join(" ",
                "13", // flags: layout 1 (0x10), a correlation id (0x01) and a causation id (0x02) follow
                "00 4b f9 2f 35 77 b3 4d a6 a3 ce 92 9d 0e 0e 47 36", // id: a UUID, tag 0 and its 16 bytes
                "cb 94 d0 91 a1 34", // created: 1795601730123 ms, an unsigned varint of 6 bytes
                "03", // content type: text/plain; charset=utf-8
                "0b " + hex("OrderPlaced"), // type: its length and UTF-8 bytes
                "08 " + hex("checkout"), // source
                "09 " + hex("order-42"), // correlation id: not a UUID, so its length + 1 and UTF-8 bytes
                "00 11 11 11 11 22 22 33 33 44 44 55 55 55 55 55 55")); // causation id: a UUID

        Envelope old = new Envelope("x", "T", "x", Optional.empty(), "s", Instant.ofEpochMilli(-1_000),
                "application/avro", Optional.empty());
        assertThat(hex(BinaryEnvelope.of(old))).isEqualTo(String.join(" ",
                "14", // flags: layout 1 (0x10), the time is before 1970 (0x04); no correlation or causation id
                "02 78", // id "x": its length + 1 and its byte
                "e8 07", // created: 1000 ms before the epoch, the absolute value as an unsigned varint
                "00 10 " + hex("application/avro"), // content type: code 0, then the string
                "01 54", // type
                "01 73")); // source

        for (String[] code : new String[][] {{"01", "application/json"}, {"02", "application/octet-stream"},
            {"03", "text/plain; charset=utf-8"}}) {
            Envelope e = new Envelope("x", "T", "x", Optional.empty(), "s", Instant.ofEpochMilli(1), code[1],
                    Optional.empty());
            assertThat(hex(BinaryEnvelope.of(e))).as(code[1]).isEqualTo("10 02 78 01 " + code[0] + " 01 54 01 73");
        }
    }

    private static String hex(byte[] bytes) {
        StringBuilder b = new StringBuilder();
        for (byte x : bytes) {
            b.append(b.length() == 0 ? "" : " ").append(String.format("%02x", x));
        }
        return b.toString();
    }

    private static String hex(String utf8) {
        return hex(utf8.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void theFastPathWritesWhatTheGeneralPathWrites() {
        byte[] id = MessageIds.nextUuid();
        String text = MessageIds.text(id, 0);
        assertThat(java.util.UUID.fromString(text).version()).isEqualTo(4);
        assertThat(java.util.UUID.fromString(text).toString()).isEqualTo(text);
        byte[] fast = BinaryEnvelope.origin(id, "bytes", "courier-bench", NOW.toEpochMilli(),
                "application/octet-stream");
        assertThat(fast).isEqualTo(BinaryEnvelope.of(new Envelope(text, "bytes", text, Optional.empty(),
                "courier-bench", NOW, "application/octet-stream", Optional.empty())));
        RecordHeaders headers = new RecordHeaders();
        EnvelopeCodec.writeOrigin(headers, text.getBytes(StandardCharsets.ISO_8859_1), "bytes", "courier-bench",
                NOW.toEpochMilli(), "application/octet-stream", EnvelopeFormat.BINARY);
        assertThat(headers.lastHeader("courier").value()).isEqualTo(fast);
    }

    @Test
    void publishersOfDifferentTypesAndSourcesInterleavedEachWriteTheirOwn() {
        // The encoded tail (content type, type, source) of the last message is reused: each triple is written twice
        // in a row (the reuse), and neighbours differ in one part only (a reuse that ignored it would show).
        String[][] parts = {{"OrderPlaced", "orders", "application/json"}, {"OrderShipped", "orders", "application/json"},
            {"OrderShipped", "billing", "application/json"}, {"OrderShipped", "billing", "application/avro"},
            {"OrderPlaced", "billing", "application/avro"}};
        for (int round = 0; round < 2; round++) {
            for (String[] p : parts) {
                for (int twice = 0; twice < 2; twice++) {
                    assertWritesItsOwn(p);
                }
            }
        }
    }

    @Test
    void publishersOnManyThreadsEachWriteTheirOwn() throws Exception {
        String[][] parts = {{"OrderPlaced", "orders", "application/json"}, {"OrderPlaced", "billing", "application/json"},
            {"OrderPlaced", "orders", "text/plain; charset=utf-8"}, {"Refund", "orders", "application/json"}};
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(parts.length);
        try {
            java.util.List<java.util.concurrent.Future<?>> runs = new java.util.ArrayList<>();
            for (String[] p : parts) {
                runs.add(pool.submit(() -> {
                    for (int i = 0; i < 20_000; i++) {
                        assertWritesItsOwn(p);
                    }
                }));
            }
            for (java.util.concurrent.Future<?> run : runs) {
                run.get(); // rethrows a thread's assertion failure
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static void assertWritesItsOwn(String[] typeSourceContentType) {
        byte[] id = MessageIds.nextUuid();
        // new String: equal, not the same, as a serde that builds its type names per message gives them
        Envelope read = BinaryEnvelope.parse(BinaryEnvelope.origin(id, new String(typeSourceContentType[0]),
                typeSourceContentType[1], NOW.toEpochMilli(), typeSourceContentType[2]), Optional.empty()).orElseThrow();
        assertThat(new String[] {read.messageType(), read.source(), read.contentType()})
                .containsExactly(typeSourceContentType);
        assertThat(read.messageId()).isEqualTo(MessageIds.text(id, 0));
    }

    @Test
    void aBenchmarkRecordsEnvelopeTakes54BytesLessThanHalfOfTheCompactOne() {
        // name (7) + two length varints + value: the budget for 15 bare-sized 1 KB records per 16 KB batch
        byte[] value = BinaryEnvelope.origin(MessageIds.nextUuid(), "bytes", "courier-bench", NOW.toEpochMilli(),
                "application/octet-stream");
        assertThat(Envelope.Headers.BINARY.length() + 2 + value.length).isEqualTo(54);
        byte[] compact = CompactEnvelope.origin(MessageIds.nextBytes(), "bytes", "courier-bench", NOW.toEpochMilli(),
                "application/octet-stream");
        assertThat(value.length).isLessThan(compact.length / 2);
    }

    @Test
    void aBenchmarkRecordGrows116BytesWithTheCompactEnvelope171WithCloudEventsAnd54WithTheBinaryOne() {
        // The figures of docs/benchmarks.md: what a new flow's envelope (type bytes, source courier-bench) adds to
        // a record. The UUID and the 13 digits of the milliseconds have a fixed length; CloudEvents' ce_time drops
        // a ".000" (167 bytes then), and NOW's milliseconds are not 0.
        assertThat(envelopeBytes(EnvelopeFormat.COMPACT)).isEqualTo(116);
        assertThat(envelopeBytes(EnvelopeFormat.CLOUD_EVENTS)).isEqualTo(171);
        assertThat(envelopeBytes(EnvelopeFormat.BINARY)).isEqualTo(54);
    }

    /**
     * The bytes the envelope's headers take in a record of Kafka's format v2: per header, the key's length (a
     * zigzag varint), the key, the value's length and the value. The rest of a 1 KB record keeps its size: its
     * header count is one byte with or without them, and its length stays a two-byte varint. (Checked once against
     * Kafka's own {@code DefaultRecord.sizeInBytes}, an internal class not used here.)
     */
    private static int envelopeBytes(EnvelopeFormat format) {
        RecordHeaders headers = new RecordHeaders();
        EnvelopeCodec.writeOrigin(headers, MessageIds.nextBytes(), "bytes", "courier-bench", NOW.toEpochMilli(),
                "application/octet-stream", format);
        int bytes = 0;
        for (org.apache.kafka.common.header.Header h : headers) {
            int key = h.key().getBytes(StandardCharsets.UTF_8).length;
            bytes += varintBytes(key) + key + varintBytes(h.value().length) + h.value().length;
        }
        return bytes;
    }

    private static int varintBytes(int length) {
        int bytes = 1;
        for (int zigzag = length << 1; (zigzag >>>= 7) != 0; ) {
            bytes++;
        }
        return bytes;
    }

    @Test
    void truncatedOrUnknownBytesAreNotTakenForAnEnvelope() {
        Envelope e = new Envelope(MessageIds.next(), "T", "corr", Optional.of("cause"), "svc", NOW,
                "application/json", Optional.empty());
        byte[] full = BinaryEnvelope.of(e);
        for (int n = 0; n < full.length; n++) {
            assertThat(BinaryEnvelope.parse(Arrays.copyOf(full, n), Optional.empty())).as("first %d bytes", n)
                    .isEmpty();
        }
        byte[] longer = Arrays.copyOf(full, full.length + 1);
        assertThat(BinaryEnvelope.parse(longer, Optional.empty())).isEmpty();
        byte[] future = full.clone();
        future[0] = 0x20;
        assertThat(BinaryEnvelope.parse(future, Optional.empty())).isEmpty();
        assertThat(BinaryEnvelope.parse("1|T|svc|application/json|1|id".getBytes(StandardCharsets.UTF_8),
                Optional.empty())).isEmpty();
    }

    @Test
    void anUnreadableBinaryHeaderFallsBackToTheRecordsCoordinates() {
        RecordHeaders headers = new RecordHeaders();
        headers.add("courier", "garbage".getBytes(StandardCharsets.UTF_8));
        Envelope e = EnvelopeCodec.read(headers, "orders-0@7", "String", "text/plain", Instant.ofEpochMilli(5));
        assertThat(e.messageId()).isEqualTo("orders-0@7");
        assertThat(e.messageType()).isEqualTo("String");
        assertThat(EnvelopeCodec.binaryAsText("garbage".getBytes(StandardCharsets.UTF_8))).isEmpty();
    }

    @Test
    void printsAsTheCompactLayout() {
        String id = MessageIds.next();
        Envelope e = new Envelope(id, "T", id, Optional.empty(), "svc", NOW, "application/json", Optional.empty());
        assertThat(EnvelopeCodec.binaryAsText(BinaryEnvelope.of(e)))
                .contains("1|T|svc|application/json|" + NOW.toEpochMilli() + "|" + id);
    }
}
