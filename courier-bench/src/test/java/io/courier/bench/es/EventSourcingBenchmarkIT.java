package io.courier.bench.es;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.courier.cluster.EmbeddedKafkaCluster;
import io.courier.cluster.junit.EmbeddedKafka;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A short run of the event-sourcing benchmark: its self-checks hold and its numbers are real. No timing asserted. */
@EmbeddedKafka
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class EventSourcingBenchmarkIT {

    @Test
    void runsCommandsReplaysAndChecksTheEventTopic(EmbeddedKafkaCluster cluster) throws Exception {
        List<String> progress = new ArrayList<>();
        EventSourcingBenchmark.Result r = new EventSourcingBenchmark(cluster.bootstrapServers(), Map.of(), 10, 400, 2)
                .run(progress::add);

        assertThat(r.commandsAccepted() + r.commandsRejected()).isEqualTo(400);
        assertThat(r.commandsRejected()).as("every 20th command debits beyond the balance").isEqualTo(20);
        assertThat(r.commandsFailed()).isZero();
        assertThat(r.eventsAppended()).as("one per accepted command, plus the 10 openings").isEqualTo(390);
        assertThat(r.duplicateEvents()).isZero();
        assertThat(r.rebuildMatchesLive()).isTrue();
        assertThat(r.commandsPerSec()).isPositive();
        assertThat(r.replayEventsPerSec()).isPositive();
        assertThat(r.projectionLagMsP99()).isPositive().isLessThanOrEqualTo(r.projectionLagMsMax());
        assertThat(r.table()).contains("rebuilt state equals live state: true");
        assertThat(progress).isNotEmpty();
        assertThat(cluster.admin().listTopics().names().get(30, TimeUnit.SECONDS))
                .as("the run's topics (commands, events, replies, dead letters, Kafka Streams' internal ones) are gone")
                .noneMatch(t -> t.startsWith("bench-wallet-"));
    }

    @Test
    void rejectsNonsenseSettingsWithTheValue() {
        assertThat(assertThrows(IllegalArgumentException.class, () -> new EventSourcingBenchmark("x", Map.of(), 0, 10, 1)))
                .hasMessage("aggregates must be at least 1, but was 0");
    }
}
