package io.courier.bench.es;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.courier.bench.BenchJson;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The {@code --json} document of {@code courier bench event-sourcing}, without a broker. */
class EventSourcingBenchmarkTest {

    @Test
    void theJsonReportHasExactlyTheDocumentedFieldsAtTheTopLevel() throws Exception {
        EventSourcingBenchmark.Result result = new EventSourcingBenchmark.Result(19_000, 1_000, 3, 931.5, 19_100, 2,
                27_184.5, true, 12.5, 22.7);

        JsonNode json = new ObjectMapper().readTree(BenchJson.write(result));

        assertThat(json.isObject()).as("one object").isTrue();
        assertThat(json.properties().stream().map(Map.Entry::getKey).toList()).as("docs/event-sourcing.md's --json")
                .containsExactlyInAnyOrder("commandsAccepted", "commandsRejected", "commandsFailed", "commandsPerSec",
                        "eventsAppended", "duplicateEvents", "replayEventsPerSec", "rebuildMatchesLive",
                        "projectionLagMsP99", "projectionLagMsMax");
        assertThat(json.properties()).as("flat: no field nests another").allSatisfy(
                field -> assertThat(field.getValue().isValueNode()).as(field.getKey()).isTrue());

        // each field carries its own value
        assertThat(json.get("commandsAccepted").longValue()).isEqualTo(19_000);
        assertThat(json.get("commandsRejected").longValue()).isEqualTo(1_000);
        assertThat(json.get("commandsFailed").longValue()).isEqualTo(3);
        assertThat(json.get("commandsPerSec").doubleValue()).isEqualTo(931.5);
        assertThat(json.get("eventsAppended").longValue()).isEqualTo(19_100);
        assertThat(json.get("duplicateEvents").longValue()).isEqualTo(2);
        assertThat(json.get("replayEventsPerSec").doubleValue()).isEqualTo(27_184.5);
        assertThat(json.get("rebuildMatchesLive").isBoolean()).isTrue();
        assertThat(json.get("rebuildMatchesLive").booleanValue()).isTrue();
        assertThat(json.get("projectionLagMsP99").doubleValue()).isEqualTo(12.5);
        assertThat(json.get("projectionLagMsMax").doubleValue()).isEqualTo(22.7);
    }
}
