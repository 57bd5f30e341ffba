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

    @Test
    void aSerdesErrorIsCarriedToButTheJvmsOwnIsThrown() {
        for (Error error : java.util.List.of(new AssertionError("no decoder"), new StackOverflowError("too deep"),
                new NoClassDefFoundError("com/example/Money"), new java.util.ServiceConfigurationError("no provider"))) {
            assertThat(new LenientSerde<>(throwing(error)).deserialize(new byte[] {1}, "Query").error())
                    .isSameAs(error);
        }
        OutOfMemoryError jvms = new OutOfMemoryError("Java heap space");
        assertThat(org.junit.jupiter.api.Assertions.assertThrows(OutOfMemoryError.class,
                () -> new LenientSerde<>(throwing(jvms)).deserialize(new byte[] {1}, "Query"))).isSameAs(jvms);
    }

    private Serde<Query> throwing(Error error) {
        return new Serde<>() {
            @Override
            public Class<Query> type() {
                return Query.class;
            }

            @Override
            public String contentType() {
                return json.contentType();
            }

            @Override
            public byte[] serialize(Query value) {
                throw new UnsupportedOperationException();
            }

            @Override
            public Query deserialize(byte[] data, String messageType) {
                throw error;
            }
        };
    }
}
