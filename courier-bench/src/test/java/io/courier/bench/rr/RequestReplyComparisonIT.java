package io.courier.bench.rr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.courier.cluster.EmbeddedKafkaCluster;
import io.courier.cluster.junit.EmbeddedKafka;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A short run of the request-reply comparison: both transports measured, and the outage run tells them apart. */
@EmbeddedKafka
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class RequestReplyComparisonIT {

    @Test
    void measuresKafkaAndHttpAtEachInFlightAndCountsTheErrorsOfAResponderOutage(EmbeddedKafkaCluster cluster)
            throws Exception {
        List<String> progress = new ArrayList<>();
        RequestReplyComparison.Result result = new RequestReplyComparison(cluster.bootstrapServers(), Map.of(), 1_500,
                List.of(1, 8), 64, Duration.ofSeconds(30), Duration.ofSeconds(1), 8).run(progress::add);

        assertThat(result.runs()).extracting(RequestReplyComparison.Run::transport, RequestReplyComparison.Run::inFlight)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("kafka", 1), org.assertj.core.groups.Tuple.tuple("http", 1),
                        org.assertj.core.groups.Tuple.tuple("http", 8), org.assertj.core.groups.Tuple.tuple("kafka", 8),
                        org.assertj.core.groups.Tuple.tuple("kafka", 8), org.assertj.core.groups.Tuple.tuple("http", 8));
        List<RequestReplyComparison.Run> steady = result.runs().subList(0, 4);
        assertThat(steady).allSatisfy(r -> {
            assertThat(r.errors()).as("errors of %s at %d in flight", r.transport(), r.inFlight()).isZero();
            assertThat(r.latencyMs().count()).isEqualTo(1_500);
            assertThat(r.throughputPerSec()).isPositive();
            assertThat(r.latencyMs().p50()).isPositive().isLessThanOrEqualTo(r.latencyMs().p99());
        });
        RequestReplyComparison.Run kafkaOutage = result.runs().get(4);
        RequestReplyComparison.Run httpOutage = result.runs().get(5);
        assertThat(kafkaOutage.scenario()).isEqualTo("responder-outage");
        assertThat(kafkaOutage.errors()).as("Kafka requests wait in the topic while the responder is down").isZero();
        assertThat(kafkaOutage.latencyMs().max()).as("some waited out the outage").isGreaterThanOrEqualTo(1_000);
        assertThat(httpOutage.errors()).as("HTTP calls fail while the server is down").isPositive();
        assertThat(progress).first().isEqualTo("warm-up done");
        assertThat(result.table()).contains("responder-outage");
        assertThat(cluster.admin().listTopics().names().get(30, TimeUnit.SECONDS))
                .as("the runs' request, reply and dead-letter topics are gone").noneMatch(t -> t.startsWith("bench-rr"));
    }

    @Test
    void rejectsNonsenseSettingsWithTheValue() {
        assertThat(assertThrows(IllegalArgumentException.class, () -> new RequestReplyComparison("x", Map.of(), 10, List.of(0),
                64, Duration.ofSeconds(1), Duration.ZERO, 8))).hasMessage("in-flight values must be at least 1, but were [0]");
        assertThat(assertThrows(IllegalArgumentException.class, () -> new RequestReplyComparison("x", Map.of(), 10, List.of(1),
                4, Duration.ofSeconds(1), Duration.ZERO, 8))).hasMessage("payload size must be at least 8 bytes, but was 4");
    }
}
