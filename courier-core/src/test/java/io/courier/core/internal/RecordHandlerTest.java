package io.courier.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.courier.core.CourierConfig;
import io.courier.core.HandlerContext;
import io.courier.core.Handlers;
import io.courier.core.Message;
import io.courier.core.Serdes;
import io.courier.core.Topic;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

class RecordHandlerTest {
    private static final Topic<String, String> ORDERS = Topic.of("orders", Serdes.string(), Serdes.string());
    private static final Topic<String, String> OUT = Topic.of("out", Serdes.string(), Serdes.string());

    @Test
    void aRecordWithoutAnEnvelopeGetsItsIdFromItsCoordinatesAndItsCreationTimeFromItsTimestamp() {
        RecordHandler<String, String> handler = new RecordHandler<>(ORDERS, Handlers.all((m, ctx) -> { }),
                CourierConfig.builder("localhost:9092").build());
        org.apache.kafka.common.header.internals.RecordHeaders others =
                new org.apache.kafka.common.header.internals.RecordHeaders();
        others.add("tenant", "acme".getBytes(StandardCharsets.UTF_8)); // another client's header, no envelope
        ConsumerRecord<byte[], byte[]> plain = new ConsumerRecord<>("orders", 3, 41, 1_764_012_345_678L,
                org.apache.kafka.common.record.TimestampType.CREATE_TIME, 1, 1, "k".getBytes(StandardCharsets.UTF_8),
                "v".getBytes(StandardCharsets.UTF_8), others, java.util.Optional.empty());

        Message<String, String> message = handler.decode(plain);

        assertThat(message.envelope().createdAt()).isEqualTo(java.time.Instant.ofEpochMilli(1_764_012_345_678L));
        assertThat(message.timestamp()).isEqualTo(java.time.Instant.ofEpochMilli(1_764_012_345_678L));
        assertThat(message.envelope().messageId()).isEqualTo("orders-3@41");
        assertThat(message.envelope().correlationId()).as("a flow of its own").isEqualTo("orders-3@41");
        assertThat(message.envelope().messageType()).isEqualTo("String");
        assertThat(message.value()).isEqualTo("v");
    }

    @Test
    void aContextKeptPastItsHandlerRefusesToPublishNamingTheMessage() throws Exception {
        CourierConfig config = CourierConfig.builder("localhost:9092").build();
        AtomicReference<HandlerContext> kept = new AtomicReference<>();
        RecordHandler<String, String> handler = new RecordHandler<>(ORDERS, Handlers.all((m, ctx) -> {
            ctx.publish(OUT, m.key(), "in time");
            kept.set(ctx);
        }), config);
        MockProducer<byte[], byte[]> producer =
                new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
        List<CompletableFuture<?>> pending = new ArrayList<>();
        Message<String, String> message = handler.decode(new ConsumerRecord<>("orders", 0, 7,
                "k".getBytes(StandardCharsets.UTF_8), "v".getBytes(StandardCharsets.UTF_8)));

        handler.run(handler.handlerFor(message), message, 1, producer, pending, new RecordHandler.CloseState() {
            @Override
            public boolean closing() {
                return false;
            }

            @Override
            public boolean interruptedByClose() {
                return false;
            }
        });
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> kept.get().publish(OUT, "k", "late"));

        assertThat(e).hasMessage("a follow-up of orders-0@7 to topic 'out' was published after its handler returned; "
                + "publish before handle() returns, so that the message is committed only once its follow-ups are "
                + "acknowledged");
        assertThat(producer.history()).hasSize(1);
        assertThat(pending).hasSize(1);
    }
}
