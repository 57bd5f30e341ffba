package io.courier.bench.workload;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.bench.Client;
import io.courier.cluster.EmbeddedKafkaCluster;
import io.courier.cluster.junit.EmbeddedKafka;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Short runs of every mode against the embedded cluster: real numbers come out, counts add up. No timing asserted. */
@EmbeddedKafka
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class BenchWorkloadIT {
    private final WorkloadRunner runner;
    private final EmbeddedKafkaCluster cluster;

    BenchWorkloadIT(EmbeddedKafkaCluster cluster) {
        this.runner = new WorkloadRunner(cluster.bootstrapServers(), Map.of());
        this.cluster = cluster;
    }

    private static Workload.Builder small() {
        return Workload.builder().set("messages", "3000").set("warmup", "500ms").set("message-size", "256");
    }

    @Test
    void measuresPublishAndConsumeThroughCourierAndEveryMessageArrives() {
        List<String> progress = new ArrayList<>();
        RunResult r = runner.run(small().build(), Client.COURIER, Map.of(), progress::add);

        assertThat(r.client()).isEqualTo("courier");
        assertThat(r.published()).isEqualTo(3000);
        assertThat(r.consumed()).isEqualTo(3000);
        assertThat(r.errors()).isZero();
        assertThat(r.publish().messagesPerSec()).isPositive();
        assertThat(r.publish().mbPerSec()).isCloseTo(r.publish().messagesPerSec() * 256 / 1e6,
                org.assertj.core.data.Offset.offset(1e-6));
        assertThat(r.consume().messagesPerSec()).isPositive();
        assertThat(r.publishLatencyMs().count()).isEqualTo(3000);
        assertThat(r.endToEndLatencyMs().count()).isEqualTo(3000);
        assertThat(r.endToEndLatencyMs().p50()).isPositive().isLessThanOrEqualTo(r.endToEndLatencyMs().max());
        assertThat(r.cpuPercent()).isPositive();
        assertThat(progress).first().asString().startsWith("warming up");
        assertThat(cluster.admin().listTopics().names().toCompletionStage().toCompletableFuture().join())
                .as("the run's topics are gone, its subscribers' dead-letter topics too")
                .noneMatch(t -> t.startsWith("bench-"));
    }

    @Test
    void zeroConsumersMeasuresPublishingAlone() {
        RunResult r = runner.run(small().set("consumers", "0").build(), Client.RAW, Map.of(), line -> { });
        assertThat(r.published()).isEqualTo(3000);
        assertThat(r.consumed()).isZero();
        assertThat(r.consume().messagesPerSec()).isZero();
        assertThat(r.endToEndLatencyMs()).isEqualTo(RunResult.Percentiles.NONE);
    }

    @Test
    void compareRawWithASweepAlternatesTheClientsAndReportsARatioPerPoint() {
        BenchReport report = BenchSession.run(runner, small().build(),
                Optional.of(BenchSession.Sweep.parse("message-size=100,1000")), true, line -> { });

        assertThat(report.runs()).extracting(RunResult::client).containsExactly("raw", "courier", "courier", "raw");
        assertThat(report.runs()).extracting(r -> r.sweep().get("message-size"))
                .containsExactly("100", "100", "1000", "1000");
        assertThat(report.runs()).allSatisfy(r -> {
            assertThat(r.errors()).isZero();
            assertThat(r.consumed()).isEqualTo(3000);
        });
        assertThat(report.ratios()).hasSize(2).allSatisfy(q -> {
            assertThat(q.publishThroughput()).isPositive();
            assertThat(q.endToEndP99()).isPositive();
        });
        assertThat(report.sweep()).isEqualTo("message-size");
        assertThat(HtmlReport.render(report)).contains("<svg");
    }

    @Test
    void aFixedRateExactlyOnceRunWithKeysAndTwoGroupsDeliversEveryMessageToEachGroup() {
        Workload w = Workload.builder().set("rate", "2000").set("duration", "2s").set("warmup", "500ms")
                .set("guarantee", "exactly-once").set("keys", "10").set("partitions", "2").set("consumers", "2")
                .set("consumer-groups", "2").set("producers", "2").set("message-size", "128").build();
        for (Client client : Client.values()) {
            RunResult r = runner.run(w, client, Map.of(), line -> { });
            assertThat(r.errors()).as("%s errors", client).isZero();
            assertThat(r.published()).as("%s published about 2 s at 2000/s", client).isBetween(3000L, 4200L);
            assertThat(r.consumed()).as("%s: each group got everything", client).isEqualTo(2 * r.published());
            assertThat(r.timeline()).as("%s: one sample a second", client).isNotEmpty();
        }
    }
}
