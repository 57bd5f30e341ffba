package io.courier.bench.rr;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.courier.bench.BenchJson;
import io.courier.bench.LatencyStats;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The {@code --json} document of {@code courier bench request-reply}, without a broker. */
class RequestReplyComparisonTest {

    /** @return the names of an object's fields, in the order written */
    private static List<String> fieldNames(JsonNode object) {
        assertThat(object.isObject()).as("%s is an object", object).isTrue();
        return object.properties().stream().map(Map.Entry::getKey).toList();
    }

    @Test
    void theJsonReportHasExactlyTheDocumentedFieldsAndNesting() throws Exception {
        RequestReplyComparison.Result result = new RequestReplyComparison.Result(List.of(
                new RequestReplyComparison.Run("kafka", "steady", 64, 20_000, 0, 8_620.5,
                        new LatencyStats(20_000, 6.22, 21.04, 27.14, 28.02)),
                new RequestReplyComparison.Run("http", "responder-outage", 8, 20_000, 2_684, 2_255.5,
                        new LatencyStats(20_000, 2.5, 15.36, 23.39, 31.84))));

        JsonNode json = new ObjectMapper().readTree(BenchJson.write(result));

        // docs/request-reply.md: {"runs": [{"transport", "scenario", "inFlight", "requests", "errors",
        // "throughputPerSec", "latencyMs": {"count", "p50", "p99", "p999", "max"}}]}
        assertThat(fieldNames(json)).as("top level").containsExactlyInAnyOrder("runs");
        assertThat(json.get("runs").isArray()).as("runs is an array").isTrue();
        assertThat(json.get("runs")).hasSize(2);
        for (JsonNode run : json.get("runs")) {
            assertThat(fieldNames(run)).as("a run").containsExactlyInAnyOrder("transport", "scenario", "inFlight",
                    "requests", "errors", "throughputPerSec", "latencyMs");
            assertThat(fieldNames(run.get("latencyMs"))).as("a run's latencyMs")
                    .containsExactlyInAnyOrder("count", "p50", "p99", "p999", "max");
        }

        JsonNode kafka = json.get("runs").get(0);
        assertThat(kafka.get("transport").textValue()).isEqualTo("kafka");
        assertThat(kafka.get("scenario").textValue()).isEqualTo("steady");
        assertThat(kafka.get("inFlight").isIntegralNumber()).isTrue();
        assertThat(kafka.get("inFlight").intValue()).isEqualTo(64);
        assertThat(kafka.get("requests").intValue()).isEqualTo(20_000);
        assertThat(kafka.get("errors").longValue()).isZero();
        assertThat(kafka.get("throughputPerSec").doubleValue()).isEqualTo(8_620.5);
        JsonNode latency = kafka.get("latencyMs");
        assertThat(latency.get("count").isIntegralNumber()).isTrue();
        assertThat(latency.get("count").longValue()).isEqualTo(20_000);
        assertThat(List.of(latency.get("p50").doubleValue(), latency.get("p99").doubleValue(),
                latency.get("p999").doubleValue(), latency.get("max").doubleValue()))
                .containsExactly(6.22, 21.04, 27.14, 28.02);

        JsonNode http = json.get("runs").get(1);
        assertThat(http.get("transport").textValue()).isEqualTo("http");
        assertThat(http.get("scenario").textValue()).isEqualTo("responder-outage");
        assertThat(http.get("errors").longValue()).isEqualTo(2_684);
    }
}
