package io.courier.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.core.Envelope;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CompactEnvelopeTest {
    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    @Test
    void roundTripsFieldsThatContainTheSeparatorOrTheEscapeCharacter() {
        Envelope e = new Envelope("id|1", "Type%7C", "flow|%", Optional.of("%25|"), "src", Instant.ofEpochMilli(5),
                "application/json; charset=utf-8", Optional.empty());
        assertThat(CompactEnvelope.parse(text(CompactEnvelope.of(e)), Optional.empty())).contains(e);
        assertThat(CompactEnvelope.type(text(CompactEnvelope.of(e)))).isEqualTo("Type%7C");
    }

    @Test
    void aSeparatorInAFieldIsWrittenAsPercent7CAndAPercentSignAsPercent25() {
        Envelope e = new Envelope("id|1", "Type%7C", "flow|%", Optional.of("%25|"), "src", Instant.ofEpochMilli(5),
                "application/json; charset=utf-8", Optional.empty());

        assertThat(text(CompactEnvelope.of(e)))
                .isEqualTo("1|Type%257C|src|application/json; charset=utf-8|5|id%7C1|flow%7C%25|%2525%7C");
        assertThat(text(CompactEnvelope.origin("id-2".getBytes(StandardCharsets.ISO_8859_1), "A|B", "s%", 7,
                "text/plain"))).as("a new flow's message, written by the fast path")
                .isEqualTo("1|A%7CB|s%25|text/plain|7|id-2");
    }

    @Test
    void theFastPathWritesWhatTheGeneralPathWrites() {
        byte[] id = MessageIds.nextBytes();
        String ids = new String(id, StandardCharsets.ISO_8859_1);
        // Repeats and steps back too: the fast path keeps the last millisecond's digits per thread.
        for (long millis : new long[] {0, 9, 9, 10, 1_764_012_345_678L, 1_764_012_345_678L, 1_764_012_345_679L, 10,
            -1_000}) {
            Envelope e = new Envelope(ids, "T", ids, Optional.empty(), "s", Instant.ofEpochMilli(millis), "c",
                    Optional.empty());
            assertThat(text(CompactEnvelope.origin(id, "T", "s", millis, "c"))).as("at %d", millis)
                    .isEqualTo(text(CompactEnvelope.of(e)));
        }
    }

    @Test
    void aHeaderWithEmptyOrMissingFieldsIsNotTakenForAnEnvelope() {
        assertThat(CompactEnvelope.parse("1||src|c|5|id", Optional.empty())).isEmpty();
        assertThat(CompactEnvelope.parse("1|T|src|c|5|", Optional.empty())).isEmpty();
        assertThat(CompactEnvelope.parse("1|T|src|c|soon|id", Optional.empty())).isEmpty();
        assertThat(CompactEnvelope.type("1|T|src")).isNull();
        assertThat(CompactEnvelope.correlationId("1|T|src|c|5|id")).isNull();
        assertThat(CompactEnvelope.correlationId("1|T|src|c|5|id|flow|")).isEqualTo("flow");
    }
}
