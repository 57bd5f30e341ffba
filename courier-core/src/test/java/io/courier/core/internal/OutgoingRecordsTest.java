package io.courier.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.core.Envelope;
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

    @Test
    void aNewFlowCarriesNoCorrelationHeaderBecauseItIsItsOwnId() {
        OutgoingRecords.Outgoing out = OutgoingRecords.build(topic, OutboundMessage.of("k", "v").withHeader("tenant", "acme"),
                "checkout", clock);
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
    void aFollowUpCarriesItsFlowAndCause() {
        Envelope cause = new Envelope("cause-1", "T", "flow-1", Optional.empty(), "s", Instant.EPOCH, "c",
                Optional.of("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));
        ProducerRecord<byte[], byte[]> r = OutgoingRecords.build(topic,
                OutgoingRecords.continuing(cause, "k", "v"), "billing", clock).record();
        Envelope read = EnvelopeCodec.read(r.headers(), "x", "x", "x", Instant.EPOCH);
        assertThat(read.correlationId()).isEqualTo("flow-1");
        assertThat(read.causationId()).contains("cause-1");
        assertThat(read.traceparent()).isEqualTo(cause.traceparent());
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
