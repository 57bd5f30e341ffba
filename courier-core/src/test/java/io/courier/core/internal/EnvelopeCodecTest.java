package io.courier.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.core.Envelope;
import io.courier.core.EnvelopeFormat;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

class EnvelopeCodecTest {

    @Test
    void writesCloudEventsStyleHeadersAndReadsThemBack() {
        Envelope e = new Envelope("id-1", "OrderPlaced", "corr-1", Optional.of("cause-1"), "orders-service",
                Instant.parse("2026-11-24T10:15:30.123Z"), "application/json",
                Optional.of("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));
        RecordHeaders headers = new RecordHeaders();
        headers.add("tenant", "acme".getBytes(StandardCharsets.UTF_8));
        EnvelopeCodec.write(e, headers, EnvelopeFormat.CLOUD_EVENTS);

        assertThat(new String(headers.lastHeader("ce_id").value(), StandardCharsets.UTF_8)).isEqualTo("id-1");
        assertThat(new String(headers.lastHeader("ce_time").value(), StandardCharsets.UTF_8)).isEqualTo("2026-11-24T10:15:30.123Z");
        assertThat(new String(headers.lastHeader("ce_specversion").value(), StandardCharsets.UTF_8)).isEqualTo("1.0");
        assertThat(EnvelopeCodec.read(headers, "fallback", "T", "x", Instant.EPOCH)).isEqualTo(e);
        assertThat(EnvelopeCodec.userHeaders(headers)).containsExactly(java.util.Map.entry("tenant", "acme"));
    }

    @Test
    void aRecordWithoutEnvelopeGetsOneFromItsCoordinatesAndTimestamp() {
        Envelope e = EnvelopeCodec.read(new RecordHeaders(), "orders-0@7", "String", "text/plain", Instant.ofEpochMilli(5));
        assertThat(e.messageId()).isEqualTo("orders-0@7");
        assertThat(e.correlationId()).isEqualTo("orders-0@7");
        assertThat(e.causationId()).isEmpty();
        assertThat(e.createdAt()).isEqualTo(Instant.ofEpochMilli(5));
        assertThat(e.source()).isEqualTo("unknown");
    }
}
