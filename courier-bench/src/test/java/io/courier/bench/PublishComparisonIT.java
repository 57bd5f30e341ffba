package io.courier.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.courier.cluster.EmbeddedKafkaCluster;
import io.courier.cluster.junit.EmbeddedKafka;
import io.courier.core.EnvelopeFormat;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A short smoke run of the comparison: it measures both clients and reports real numbers. No timing is asserted. */
@EmbeddedKafka
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class PublishComparisonIT {

    @Test
    void measuresBothClientsAlternatingAndReportsTheRatios(EmbeddedKafkaCluster cluster) {
        List<String> progress = new ArrayList<>();
        PublishComparison.Result result = new PublishComparison(cluster.bootstrapServers(), 2_000, 512, 1, 500,
                Duration.ofSeconds(2), EnvelopeFormat.CLOUD_EVENTS).run(progress::add);
        assertThat(result.rounds()).extracting(PublishComparison.Round::client)
                .containsExactly(Client.RAW, Client.COURIER, Client.RAW, Client.COURIER);
        assertThat(result.rounds()).allSatisfy(r -> assertThat(r.messagesPerSec()).isPositive());
        assertThat(result.rounds().subList(2, 4)).allSatisfy(r -> {
            assertThat(r.latency().count()).as("every message of the latency round was received").isEqualTo(1_000);
            assertThat(r.latency().p99()).isPositive().isLessThanOrEqualTo(r.latency().max());
        });
        assertThat(result.throughputRatio()).isPositive();
        assertThat(result.p99Ratio()).isPositive();
        assertThat(result.throughputInterval()).as("one pair says nothing about the spread").isNull();
        assertThat(progress).hasSize(5).first().isEqualTo("warm-up done");
        assertThat(result.table()).contains("Courier / raw (geometric mean of back-to-back pairs) throughput:");
    }

    @Test
    void theRatioIsTheGeometricMeanOfThePairsSoThatAnOrderPenaltyCancels() {
        // true ratio 0.9, the client that runs second loses 20%: pairs 0.9*0.8 and 0.9/0.8
        assertThat(PublishComparison.geometricMean(java.util.List.of(0.9 * 0.8, 0.9 / 0.8))).isCloseTo(0.9, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(PublishComparison.geometricMean(java.util.List.of(1.0, 4.0))).isCloseTo(2.0, org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void rejectsNonsenseSettingsWithTheValue() {
        assertThat(assertThrows(IllegalArgumentException.class,
                () -> new PublishComparison("localhost:9092", 0, 1024, 1, 100, Duration.ofSeconds(1), EnvelopeFormat.COMPACT)))
                .hasMessage("records must be at least 1, but was 0");
        assertThat(assertThrows(IllegalArgumentException.class,
                () -> new PublishComparison("localhost:9092", 10, 8, 1, 100, Duration.ofSeconds(1), EnvelopeFormat.COMPACT)))
                .hasMessage("record size must be at least 16 bytes, but was 8");
    }
}
