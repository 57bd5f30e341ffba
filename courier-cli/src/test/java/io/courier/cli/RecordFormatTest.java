package io.courier.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class RecordFormatTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static ConsumerRecord<byte[], byte[]> record(String key, String value, RecordHeaders headers) {
        return new ConsumerRecord<>("orders", 2, 41L, 1_700_000_000_123L, TimestampType.CREATE_TIME, -1, -1,
                key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                value == null ? null : value.getBytes(StandardCharsets.UTF_8), headers, Optional.empty());
    }

    @Test
    void jsonHasExactlyTheDocumentedFields() throws Exception {
        RecordHeaders headers = new RecordHeaders();
        headers.add("ce_type", "OrderPlaced".getBytes(StandardCharsets.UTF_8));
        headers.add("tenant", "a".getBytes(StandardCharsets.UTF_8));
        headers.add("tenant", "b".getBytes(StandardCharsets.UTF_8));
        headers.add("empty", null);
        String line = RecordFormat.JSON.format(record("order-1", "{\"total\": 42}\nline two", headers));

        assertThat(line).doesNotContain("\n");
        JsonNode json = JSON.readTree(line);
        assertThat(json.fieldNames()).toIterable()
                .containsExactly("topic", "partition", "offset", "timestamp", "key", "value", "headers");
        assertThat(json.get("topic").asText()).isEqualTo("orders");
        assertThat(json.get("partition").asInt()).isEqualTo(2);
        assertThat(json.get("offset").asLong()).isEqualTo(41L);
        assertThat(json.get("timestamp").asLong()).isEqualTo(1_700_000_000_123L);
        assertThat(json.get("key").asText()).isEqualTo("order-1");
        assertThat(json.get("value").asText()).isEqualTo("{\"total\": 42}\nline two");
        assertThat(json.get("headers").get("ce_type").asText()).isEqualTo("OrderPlaced");
        assertThat(json.get("headers").get("tenant").asText()).as("the last of repeated headers").isEqualTo("b");
        assertThat(json.get("headers").get("empty").isNull()).isTrue();
    }

    @Test
    void bytesThatAreNotUtf8PrintAsReplacementCharacters() throws Exception {
        byte[] longKey = java.nio.ByteBuffer.allocate(8).putLong(-1L).array(); // a LongSerializer's -1: 0xFF x 8
        ConsumerRecord<byte[], byte[]> r = new ConsumerRecord<>("orders", 0, 0L, 0L, TimestampType.CREATE_TIME, -1, -1,
                longKey, "v".getBytes(StandardCharsets.UTF_8), new RecordHeaders(), Optional.empty());

        assertThat(JSON.readTree(RecordFormat.JSON.format(r)).get("key").asText()).isEqualTo("\uFFFD".repeat(8));
    }

    @Test
    void jsonPrintsTheBinaryEnvelopeAsTextAndAnUnreadableOneAsItsBytes() throws Exception {
        String id = "4bf92f35-77b3-4da6-a3ce-929d0e0e4736";
        RecordHeaders headers = new RecordHeaders();
        io.courier.core.internal.EnvelopeCodec.write(new io.courier.core.Envelope(id, "OrderPlaced", id,
                Optional.empty(), "orders", java.time.Instant.ofEpochMilli(1_700_000_000_000L), "application/json",
                Optional.empty()), headers, io.courier.core.EnvelopeFormat.BINARY);
        JsonNode json = JSON.readTree(RecordFormat.JSON.format(record("k", "v", headers)));
        assertThat(json.get("headers").get("courier").asText())
                .isEqualTo("1|OrderPlaced|orders|application/json|1700000000000|" + id);

        RecordHeaders foreign = new RecordHeaders();
        foreign.add("courier", "someone else's".getBytes(StandardCharsets.UTF_8));
        assertThat(JSON.readTree(RecordFormat.JSON.format(record("k", "v", foreign))).get("headers").get("courier")
                .asText()).isEqualTo("someone else's");
    }

    @Test
    void jsonWritesAMissingKeyAndATombstoneAsNull() throws Exception {
        JsonNode json = JSON.readTree(RecordFormat.JSON.format(record(null, null, new RecordHeaders())));
        assertThat(json.get("key").isNull()).isTrue();
        assertThat(json.get("value").isNull()).isTrue();
        assertThat(json.get("headers").isEmpty()).isTrue();
    }

    @Test
    void textIsTheValueAloneAndNullForATombstone() {
        assertThat(RecordFormat.TEXT.format(record("order-1", "placed", new RecordHeaders()))).isEqualTo("placed");
        assertThat(RecordFormat.TEXT.format(record("order-1", null, new RecordHeaders()))).isEqualTo("null");
    }
}
