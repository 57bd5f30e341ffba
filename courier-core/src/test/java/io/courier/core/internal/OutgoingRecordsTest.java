package io.courier.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.core.CourierConfig;
import io.courier.core.Envelope;
import io.courier.core.EnvelopeFormat;
import io.courier.core.OutboundMessage;
import io.courier.core.Serdes;
import io.courier.core.Topic;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;

class OutgoingRecordsTest {
    private final Topic<String, String> topic = Topic.of("orders", Serdes.string(), Serdes.string());
    private final Clock clock = Clock.fixed(Instant.parse("2026-11-24T10:00:00Z"), ZoneOffset.UTC);

    private CourierConfig config(String service, EnvelopeFormat format) {
        return CourierConfig.builder("localhost:9092").serviceName(service).clock(clock).envelopeFormat(format).build();
    }

    @Test
    void aNewFlowCarriesNoCorrelationHeaderBecauseItIsItsOwnId() {
        OutgoingRecords.Outgoing out = OutgoingRecords.build(topic, OutboundMessage.of("k", "v").withHeader("tenant", "acme"),
                config("checkout", EnvelopeFormat.CLOUD_EVENTS));
        ProducerRecord<byte[], byte[]> r = out.record();
        Set<String> names = new HashSet<>();
        for (Header h : r.headers()) {
            names.add(h.key());
        }
        assertThat(names).containsExactlyInAnyOrder("tenant", "ce_specversion", "ce_id", "ce_type", "ce_source",
                "ce_time", "content-type");
        Envelope read = EnvelopeCodec.read(r.headers(), "x", "x", "x", Instant.EPOCH);
        assertThat(read.correlationId()).isEqualTo(out.messageId());
        assertThat(read.createdAt()).isEqualTo(clock.instant());
        assertThat(read.source()).isEqualTo("checkout");
        assertThat(new String(r.value(), StandardCharsets.UTF_8)).isEqualTo("v");
    }

    @Test
    void aSerdeThatGivesNoMessageTypeIsRefusedBeforeAnythingIsSent() {
        TextSerde untyped = new TextSerde() {
            @Override
            public String messageType(String value) {
                return "";
            }
        };
        Topic<String, String> orders = Topic.of("orders", Serdes.string(), untyped);

        io.courier.core.SerdeException e = org.junit.jupiter.api.Assertions.assertThrows(
                io.courier.core.SerdeException.class, () -> OutgoingRecords.build(orders, OutboundMessage.of("k", "v"),
                        config("checkout", EnvelopeFormat.COMPACT)));

        // Written, a reader would have taken the whole envelope for a broken one, ids and all.
        assertThat(e).hasMessage("the value serde of topic 'orders' gave a value of java.lang.String no message type;"
                + " expected a non-empty name");
    }

    @Test
    void aBinaryEnvelopeNamesTheIdThePublisherReports() {
        OutgoingRecords.Outgoing out = OutgoingRecords.build(topic, OutboundMessage.of("k", "v"),
                config("checkout", EnvelopeFormat.BINARY));
        ProducerRecord<byte[], byte[]> r = out.record();
        assertThat(r.headers().toArray()).extracting(Header::key).containsExactly("courier");
        Envelope read = EnvelopeCodec.read(r.headers(), "x", "x", "x", Instant.EPOCH);
        assertThat(read.messageId()).isEqualTo(out.messageId()).matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-"
                + "[89ab][0-9a-f]{3}-[0-9a-f]{12}");
        assertThat(read.correlationId()).isEqualTo(out.messageId());
        assertThat(read.createdAt()).isEqualTo(clock.instant());
        assertThat(read.source()).isEqualTo("checkout");
        assertThat(read.messageType()).isEqualTo("String");
        assertThat(read.contentType()).isEqualTo("text/plain; charset=utf-8");

        OutgoingRecords.Outgoing followUp = OutgoingRecords.build(topic, OutgoingRecords.continuing(read, "k", "w"),
                config("billing", EnvelopeFormat.BINARY));
        Envelope second = EnvelopeCodec.read(followUp.record().headers(), "x", "x", "x", Instant.EPOCH);
        assertThat(second.messageId()).isEqualTo(followUp.messageId()).isNotEqualTo(out.messageId());
        assertThat(second.correlationId()).isEqualTo(out.messageId());
        assertThat(second.causationId()).contains(out.messageId());
    }

    @Test
    void aFollowUpCarriesItsFlowAndCause() {
        Envelope cause = new Envelope("cause-1", "T", "flow-1", Optional.empty(), "s", Instant.EPOCH, "c",
                Optional.of("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));
        ProducerRecord<byte[], byte[]> r = OutgoingRecords.build(topic,
                OutgoingRecords.continuing(cause, "k", "v"), config("billing", EnvelopeFormat.CLOUD_EVENTS)).record();
        Envelope read = EnvelopeCodec.read(r.headers(), "x", "x", "x", Instant.EPOCH);
        assertThat(read.correlationId()).isEqualTo("flow-1");
        assertThat(read.causationId()).contains("cause-1");
        assertThat(read.traceparent()).isEqualTo(cause.traceparent());
    }

    @Test
    void theCompactFormatWritesTheWholeEnvelopeInOneReadableHeader() {
        OutgoingRecords.Outgoing out = OutgoingRecords.build(topic, OutboundMessage.of("k", "v").withHeader("tenant",
                "acme"), config("checkout", EnvelopeFormat.COMPACT));
        ProducerRecord<byte[], byte[]> r = out.record();
        assertThat(r.headers().toArray()).extracting(Header::key).containsExactly("tenant", "courier-envelope");
        assertThat(new String(r.headers().lastHeader("courier-envelope").value(), StandardCharsets.UTF_8))
                .isEqualTo("1|String|checkout|text/plain; charset=utf-8|" + clock.millis() + "|" + out.messageId());
        Envelope read = EnvelopeCodec.read(r.headers(), "x", "x", "x", Instant.EPOCH);
        assertThat(read).isEqualTo(new Envelope(out.messageId(), "String", out.messageId(), Optional.empty(),
                "checkout", clock.instant(), "text/plain; charset=utf-8", Optional.empty()));
        assertThat(EnvelopeCodec.userHeaders(r.headers())).containsExactly(java.util.Map.entry("tenant", "acme"));
    }

    @Test
    void aCompactFollowUpCarriesItsFlowCauseAndTraceAndSurvivesSeparatorsInItsFields() {
        Envelope cause = new Envelope("cause|1", "T", "flow%1", Optional.empty(), "s", Instant.EPOCH, "c",
                Optional.of("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));
        ProducerRecord<byte[], byte[]> r = OutgoingRecords.build(Topic.of("orders", Serdes.string(),
                Serdes.string()), OutgoingRecords.continuing(cause, "k", "v"), config("billing|eu", EnvelopeFormat.COMPACT)).record();
        Envelope read = EnvelopeCodec.read(r.headers(), "x", "x", "x", Instant.EPOCH);
        assertThat(read.correlationId()).isEqualTo("flow%1");
        assertThat(read.causationId()).contains("cause|1");
        assertThat(read.source()).isEqualTo("billing|eu");
        assertThat(read.traceparent()).isEqualTo(cause.traceparent());
        assertThat(r.headers().lastHeader("traceparent")).isNotNull();
    }

    @Test
    void anUnknownCompactVersionFallsBackInsteadOfFailing() {
        org.apache.kafka.common.header.internals.RecordHeaders headers =
                new org.apache.kafka.common.header.internals.RecordHeaders();
        headers.add("courier-envelope", "9|future|format".getBytes(StandardCharsets.UTF_8));
        Envelope read = EnvelopeCodec.read(headers, "orders-0@7", "Order", "application/json", Instant.EPOCH);
        assertThat(read.messageId()).isEqualTo("orders-0@7");
        assertThat(read.messageType()).isEqualTo("Order");
        assertThat(EnvelopeCodec.messageType(headers)).isNull();
    }

    @Test
    void messageIdsAreDistinctVersionFourUuids() {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            String id = MessageIds.next();
            UUID uuid = UUID.fromString(id);
            assertThat(uuid.version()).isEqualTo(4);
            assertThat(uuid.variant()).isEqualTo(2);
            ids.add(id);
        }
        assertThat(ids).hasSize(10_000);
    }
}
