package io.courier.bench.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.courier.bench.BenchJson;
import io.courier.core.Compression;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class WorkloadTest {

    @Test
    void parametersAreSetByTheirFlagNames() {
        Workload w = Workload.builder().set("partitions", "8").set("message-size", "100").set("keys", "random")
                .set("compression", "lz4").set("acks", "1").set("rate", "10000").set("duration", "30s").build();
        assertThat(w.partitions()).isEqualTo(8);
        assertThat(w.messageSize()).isEqualTo(100);
        assertThat(w.keys()).isEqualTo(new Keys(Keys.Kind.RANDOM, 0));
        assertThat(w.compression()).isEqualTo(Compression.LZ4);
        assertThat(w.delivery()).isEqualTo(Delivery.ACKS_1);
        assertThat(w.fixedRate()).isTrue();
        assertThat(w.messages()).isZero();
        assertThat(w.duration()).isEqualTo(Duration.ofSeconds(30));
        assertThat(Workload.builder().set("guarantee", "exactly-once").build().delivery()).isEqualTo(Delivery.EXACTLY_ONCE);
        assertThat(Workload.builder().set("keys", "50").build().keys().count()).isEqualTo(50);
    }

    @Test
    void badParametersAreAnsweredWithWhatIsWrongAndWhatIsExpected() {
        assertThatThrownBy(() -> Workload.builder().set("message-size", "-5").build())
                .hasMessageStartingWith("message-size must be at least 16 bytes").hasMessageEndingWith("but was -5");
        assertThatThrownBy(() -> Workload.builder().set("partitions", "2").set("consumers", "3").build())
                .hasMessage("consumers (3 per group and topic) must not exceed the partitions of a topic (2): the extra "
                        + "consumers would sit idle");
        assertThatThrownBy(() -> Workload.builder().set("compression", "brotli"))
                .hasMessage("compression must be one of none, gzip, snappy, lz4, zstd, but was 'brotli'");
        assertThatThrownBy(() -> Workload.builder().set("acks", "2")).hasMessage("acks must be 0, 1 or all, but was '2'");
        assertThatThrownBy(() -> Workload.builder().set("keys", "some")).hasMessageContaining("none, random or a number");
        assertThatThrownBy(() -> Workload.builder().set("partitions", "many"))
                .hasMessage("partitions must be a whole number, but was 'many'");
        assertThatThrownBy(() -> Workload.builder().set("duration", "soon")).hasMessageContaining("30s");
        assertThatThrownBy(() -> Workload.builder().set("colour", "red")).hasMessageContaining("unknown workload parameter 'colour'");
        assertThatThrownBy(() -> Workload.builder().set("rate", "-1").build()).hasMessageContaining("rate must be 0 (unlimited)");
    }

    @Test
    void aSweepIsParsedAndEveryValueIsCheckedBeforeAnythingRuns() {
        BenchSession.Sweep sweep = BenchSession.Sweep.parse("message-size=100, 1000,10000");
        assertThat(sweep).isEqualTo(new BenchSession.Sweep("message-size", List.of("100", "1000", "10000")));
        assertThat(BenchSession.plan(Workload.builder().build(), Optional.of(sweep)))
                .extracting(e -> e.getKey().messageSize()).containsExactly(100, 1000, 10000);
        assertThatThrownBy(() -> BenchSession.Sweep.parse("colour=red")).as("the list docs/benchmarks.md shows for --sweep")
                .hasMessage("--sweep cannot vary 'colour'; it can vary topics, partitions, replication-factor, producers, "
                        + "consumers, consumer-groups, message-size, keys, compression, acks, guarantee, batch-size, "
                        + "linger-ms, rate");
        assertThatThrownBy(() -> BenchSession.Sweep.parse("message-size")).hasMessageContaining("PARAM=V1,V2");
        assertThatThrownBy(() -> BenchSession.plan(Workload.builder().build(),
                Optional.of(BenchSession.Sweep.parse("message-size=100,-1")))).hasMessageContaining("but was -1");
    }

    @Test
    void anIncompleteRunIsListedUnderTheTableAndMakesTheReportIncomplete() {
        Workload w = Workload.builder().build();
        RunResult.Percentiles p = new RunResult.Percentiles(10, 1, 2, 3, 4, 5);
        RunResult complete = new RunResult("raw", w, Map.of(), new RunResult.Throughput(1000, 1.0),
                new RunResult.Throughput(990, 0.99), p, p, 1000, 1000, 0, 50.0, 1.0, List.of());
        RunResult incomplete = new RunResult("courier", w, Map.of("message-size", "100"),
                new RunResult.Throughput(900, 0.9), new RunResult.Throughput(0, 0), p, RunResult.Percentiles.NONE,
                1000, 0, 0, 55.0, 1.1, List.of(), List.of("1000 of 1000 acknowledged message(s) were not consumed"));

        assertThat(new BenchReport(List.of(complete), List.of(), null).incomplete()).isFalse();
        BenchReport report = new BenchReport(List.of(complete, incomplete), List.of(), "message-size");
        assertThat(report.incomplete()).isTrue();
        assertThat(BenchSession.table(report)).endsWith("INCOMPLETE courier {message-size=100}: 1000 of 1000 "
                + "acknowledged message(s) were not consumed" + System.lineSeparator());
    }

    @Test
    void theJsonReportHasTheDocumentedSchema() throws Exception {
        Workload w = Workload.builder().build();
        RunResult.Percentiles p = new RunResult.Percentiles(10, 1, 2, 3, 4, 5);
        RunResult courier = new RunResult("courier", w, Map.of("message-size", "1024"), new RunResult.Throughput(900, 0.9),
                new RunResult.Throughput(880, 0.88), p, p, 1000, 1000, 0, 55.0, 1.1,
                List.of(new RunResult.Sample(1.0, 900, 880)));
        RunResult raw = new RunResult("raw", w, Map.of("message-size", "1024"), new RunResult.Throughput(1000, 1.0),
                new RunResult.Throughput(990, 0.99), p, p, 1000, 1000, 0, 50.0, 1.0, List.of());
        BenchReport report = new BenchReport(List.of(raw, courier), List.of(BenchSession.ratio("w", courier, raw)),
                "message-size");

        JsonNode json = new ObjectMapper().readTree(BenchJson.write(report));
        JsonNode run = json.get("runs").get(1);
        assertThat(run.get("client").asText()).isEqualTo("courier");
        assertThat(run.get("workload").get("partitions").asInt()).isEqualTo(1);
        assertThat(run.get("workload").get("duration").asText()).isEqualTo("PT30S");
        assertThat(run.get("publish").get("messagesPerSec").asDouble()).isEqualTo(900);
        assertThat(run.get("publish").get("mbPerSec").asDouble()).isEqualTo(0.9);
        assertThat(run.get("consume").get("messagesPerSec").asDouble()).isEqualTo(880);
        for (String latency : List.of("publishLatencyMs", "endToEndLatencyMs")) {
            assertThat(run.get(latency).fieldNames()).toIterable().contains("p50", "p99", "p999", "max");
        }
        assertThat(run.get("errors").asLong()).isZero();
        assertThat(run.get("timeline").get(0).get("publishedPerSec").asDouble()).isEqualTo(900);
        assertThat(json.get("ratios").get(0).get("publishThroughput").asDouble()).isEqualTo(0.9);
        assertThat(json.get("sweep").asText()).isEqualTo("message-size");
        assertThat(BenchSession.table(report)).contains("Courier / raw w: publish 0.900");
        JsonNode documented = new ObjectMapper().readTree(documentedJsonReport());
        assertThat(fieldPaths(json, "")).as("every field of the example in docs/benchmarks.md, and no other")
                .containsExactlyElementsOf(fieldPaths(documented, ""));
        assertThat(run.get("workload")).as("the default workload, as the example in docs/benchmarks.md shows it")
                .isEqualTo(documented.get("runs").get(0).get("workload"));
    }

    @Test
    void theRatiosDivideCouriersConsumeThroughputAndEndToEndP99ByRawsAndAreZeroWhereRawsValueIsZero()
            throws Exception {
        Workload w = Workload.builder().build();
        RunResult courier = new RunResult("courier", w, Map.of(), new RunResult.Throughput(900, 0.9),
                new RunResult.Throughput(880, 0.88), new RunResult.Percentiles(10, 1, 2, 3, 4, 5),
                new RunResult.Percentiles(10, 2, 4, 6, 8, 10), 1000, 1000, 0, 55.0, 1.1, List.of());
        RunResult raw = new RunResult("raw", w, Map.of(), new RunResult.Throughput(1000, 1.0),
                new RunResult.Throughput(1100, 1.1), new RunResult.Percentiles(10, 1, 2, 3, 4, 5),
                new RunResult.Percentiles(10, 1, 2, 4, 5, 6), 1000, 1000, 0, 50.0, 1.0, List.of());
        // Raw's consume throughput and end-to-end p99 are 0 (as with --consumers 0); Courier's are not, and not
        // both are 0 either: the ratio is 0 in both cases, not Infinity or NaN.
        RunResult rawWithZeros = new RunResult("raw", w, Map.of(), new RunResult.Throughput(1000, 1.0),
                new RunResult.Throughput(0, 0), new RunResult.Percentiles(10, 1, 2, 3, 4, 5),
                RunResult.Percentiles.NONE, 1000, 0, 0, 50.0, 1.0, List.of());
        RunResult courierWithZeros = new RunResult("courier", w, Map.of(), new RunResult.Throughput(900, 0.9),
                new RunResult.Throughput(0, 0), new RunResult.Percentiles(10, 1, 2, 3, 4, 5),
                RunResult.Percentiles.NONE, 1000, 0, 0, 55.0, 1.1, List.of());
        BenchReport report = new BenchReport(List.of(raw, courier, rawWithZeros, courier, rawWithZeros,
                courierWithZeros), List.of(BenchSession.ratio("measured", courier, raw),
                BenchSession.ratio("raw is 0", courier, rawWithZeros),
                BenchSession.ratio("both are 0", courierWithZeros, rawWithZeros)), null);

        JsonNode ratios = new ObjectMapper().readTree(BenchJson.write(report)).get("ratios");
        assertThat(ratios.get(0).get("publishThroughput").asDouble()).as("900 / 1000 msg/s").isEqualTo(0.9);
        assertThat(ratios.get(0).get("consumeThroughput").asDouble()).as("880 / 1100 msg/s").isEqualTo(0.8);
        assertThat(ratios.get(0).get("endToEndP99").asDouble()).as("6 / 4 ms").isEqualTo(1.5);
        for (int i = 1; i <= 2; i++) {
            JsonNode ratio = ratios.get(i);
            assertThat(ratio.get("workload").asText()).isEqualTo(i == 1 ? "raw is 0" : "both are 0");
            assertThat(ratio.get("publishThroughput").asDouble()).as("raw's publish throughput is not 0")
                    .isEqualTo(0.9);
            assertThat(ratio.get("consumeThroughput").isNumber()).as("%s: a number", ratio).isTrue();
            assertThat(ratio.get("consumeThroughput").asDouble()).as("%s: raw consumed nothing", ratio).isZero();
            assertThat(ratio.get("endToEndP99").isNumber()).as("%s: a number", ratio).isTrue();
            assertThat(ratio.get("endToEndP99").asDouble()).as("%s: raw has no end-to-end latency", ratio).isZero();
        }
    }

    @Test
    void aReportWithoutASweepHasANullSweepAndAnEmptySweepMapInEachRun() throws Exception {
        Workload w = Workload.builder().build();
        List<Map.Entry<Workload, Map<String, String>>> plan = BenchSession.plan(w, Optional.empty());
        assertThat(plan).as("one run, no sweep").hasSize(1);
        RunResult.Percentiles p = new RunResult.Percentiles(10, 1, 2, 3, 4, 5);
        RunResult run = new RunResult("courier", plan.get(0).getKey(), plan.get(0).getValue(),
                new RunResult.Throughput(900, 0.9), new RunResult.Throughput(880, 0.88), p, p, 1000, 1000, 0, 55.0,
                1.1, List.of());

        JsonNode json = new ObjectMapper().readTree(BenchJson.write(new BenchReport(List.of(run), List.of(), null)));

        assertThat(json.has("sweep")).as("the top-level sweep is written without a sweep too").isTrue();
        assertThat(json.get("sweep").isNull()).as("top-level sweep: %s", json.get("sweep")).isTrue();
        JsonNode runSweep = json.get("runs").get(0).get("sweep");
        assertThat(runSweep).as("the run's sweep").isNotNull();
        assertThat(runSweep.isObject()).as("the run's sweep: %s", runSweep).isTrue();
        assertThat(runSweep.isEmpty()).as("the run's sweep: %s", runSweep).isTrue();
    }

    @Test
    void zeroMessagesMeasureForTheDurationWhoseDefaultIs30Seconds() {
        Workload w = Workload.builder().set("messages", "0").build();

        assertThat(w.messages()).isZero();
        assertThat(w.duration()).as("the default --duration").isEqualTo(Duration.ofSeconds(30));
        assertThat(w.describe()).as("the summary printed before the run").endsWith(", unlimited rate, for 30s")
                .doesNotContain("messages");
        assertThat(Workload.builder().build().describe()).as("the default: a count")
                .endsWith(", unlimited rate, 100000 messages");
    }

    @Test
    void atLeastOnceIsAcksAllAndAtMostOnceIsAcks0() {
        Workload atLeastOnce = Workload.builder().set("guarantee", "at-least-once").build();
        Workload atMostOnce = Workload.builder().set("guarantee", "at-most-once").build();

        assertThat(atLeastOnce).as("--guarantee at-least-once against --acks all")
                .isEqualTo(Workload.builder().set("acks", "all").build());
        assertThat(atLeastOnce.delivery().acks()).isEqualTo("all");
        assertThat(atLeastOnce.delivery().guarantee()).isEqualTo(io.courier.core.DeliveryGuarantee.AT_LEAST_ONCE);
        assertThat(atMostOnce).as("--guarantee at-most-once against --acks 0")
                .isEqualTo(Workload.builder().set("acks", "0").build());
        assertThat(atMostOnce.delivery().acks()).isEqualTo("0");
        assertThat(atMostOnce.delivery().guarantee()).isEqualTo(io.courier.core.DeliveryGuarantee.AT_MOST_ONCE);
    }

    @Test
    void theDefaultsAreTheOnesTheFlagTableDocuments() {
        // The "Default" column of the flag table in docs/benchmarks.md, row by row.
        Workload documented = new Workload("workload",
                1, 1, 1,                    // --topics, --partitions, --replication-factor
                1,                          // --producers
                1,                          // --consumers
                1,                          // --consumer-groups
                1024,                       // --message-size
                new Keys(Keys.Kind.NONE, 0), // --keys none
                Compression.NONE,           // --compression none
                Delivery.ACKS_ALL,          // --acks all
                16384, 5,                   // --batch-size, --linger-ms
                0,                          // --rate: unlimited
                100_000,                    // --messages
                Duration.ofSeconds(30),     // --duration, which applies once --messages is 0
                Duration.ofSeconds(5));     // --warmup

        assertThat(Workload.builder().build()).isEqualTo(documented);
        assertThat(Workload.builder().build().fixedRate()).as("unlimited rate").isFalse();
    }

    /** The example under "The JSON report" in docs/benchmarks.md. */
    private static String documentedJsonReport() throws java.io.IOException {
        String doc = java.nio.file.Files.readString(java.nio.file.Path.of("..", "docs", "benchmarks.md"));
        int section = doc.indexOf("## The JSON report");
        int start = doc.indexOf("```json", section) + "```json".length();
        return doc.substring(start, doc.indexOf("```", start));
    }

    /** Every field's path, an array's elements merged; the names in a run's sweep map are values, not fields. */
    private static java.util.SortedSet<String> fieldPaths(JsonNode node, String prefix) {
        java.util.SortedSet<String> paths = new java.util.TreeSet<>();
        if (node.isObject()) {
            node.properties().forEach(field -> {
                String path = prefix + "/" + field.getKey();
                paths.add(path);
                if (!path.equals("/runs[]/sweep")) {
                    paths.addAll(fieldPaths(field.getValue(), path));
                }
            });
        } else if (node.isArray()) {
            node.forEach(element -> paths.addAll(fieldPaths(element, prefix + "[]")));
        }
        return paths;
    }
}
