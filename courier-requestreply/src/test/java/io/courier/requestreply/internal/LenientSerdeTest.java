package io.courier.requestreply.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.core.Serde;
import io.courier.core.Serdes;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The responder's reading of requests: as the endpoint's serde reads them, but without throwing. */
class LenientSerdeTest {
    record Query(String sku) {}

    private final Serde<Query> json = Serdes.json(Query.class);
    private final LenientSerde<Query> lenient = new LenientSerde<>(json);

    @Test
    void readsAsTheWrappedSerdeAndKeepsItsContentTypeAndMessageTypes() {
        LenientSerde.Read<Query> read = lenient.deserialize("{\"sku\":\"a\"}".getBytes(StandardCharsets.UTF_8), null);

        assertThat(read).isEqualTo(new LenientSerde.Read<>(new Query("a"), null));
        assertThat(lenient.contentType()).isEqualTo(json.contentType());
        assertThat(lenient.messageType(read)).isEqualTo("Query");
    }

    @Test
    void aValueThatCannotBeReadCarriesTheErrorInsteadOfThrowingIt() {
        LenientSerde.Read<Query> read = lenient.deserialize("{broken".getBytes(StandardCharsets.UTF_8), "Query");

        assertThat(read.value()).isNull();
        assertThat(read.error()).isNotNull();
        assertThat(lenient.messageType(read)).isEqualTo("Query");
    }
}
