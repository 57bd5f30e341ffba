package io.courier.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.courier.common.CourierException;
import io.courier.common.CourierRetriableException;
import io.courier.core.CourierConfig;
import io.courier.core.GroupProtocol;
import io.courier.core.Handlers;
import io.courier.core.Serdes;
import io.courier.core.SubscriberOptions;
import io.courier.core.Topic;
import java.time.Duration;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/** The subscriber's life cycle, without a broker. */
class DefaultSubscriberTest {
    private static final Topic<String, String> ORDERS = Topic.of("orders", Serdes.string(), Serdes.string());

    @Test
    void aClosedSubscriberCannotBeStartedSinceNothingWouldStopItsThreads() {
        DefaultSubscriber subscriber = new DefaultSubscriber("subscriber 'billing' of topic 'orders'", 2, i -> {
            throw new AssertionError("no worker may be created after close");
        });
        subscriber.close();

        IllegalStateException e = assertThrows(IllegalStateException.class, subscriber::start);

        assertThat(e).hasMessage("subscriber 'billing' of topic 'orders' is closed");
        assertThat(subscriber.isRunning()).isFalse();
    }

    /** A 3.x broker answers a KIP-848 heartbeat this way; Kafka 3.9 is exercised in courier-compat. */
    @ParameterizedTest
    @EnumSource(GroupProtocol.class)
    void awaitAssignmentReportsAThreadThatStoppedOnAnErrorInsteadOfWaitingOutItsTimeout(GroupProtocol protocol) {
        RecordingConsumer consumer = new RecordingConsumer();
        consumer.setPollException(new UnsupportedVersionException(
                "The cluster does not support the new CONSUMER group protocol."));
        CourierConfig config = CourierConfig.builder("localhost:9092").build();
        DefaultSubscriber subscriber = new DefaultSubscriber("subscriber 'billing' of topic 'orders'", 1,
                i -> new SubscriberWorker<>("w", "orders", SubscriberOptions.builder("billing").groupProtocol(protocol)
                        .build(), config, new RecordHandler<>(ORDERS, Handlers.all((m, ctx) -> {}), config), consumer,
                        new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer()),
                        "orders.dlt"));
        subscriber.start();

        CourierException e = assertThrows(CourierException.class,
                () -> subscriber.awaitAssignment(Duration.ofSeconds(20)));

        assertThat(e).isNotInstanceOf(CourierRetriableException.class)
                .hasMessageStartingWith("subscriber 'billing' of topic 'orders' stopped before it got partitions: "
                        + UnsupportedVersionException.class.getName()
                        + ": The cluster does not support the new CONSUMER group protocol.")
                .hasCauseInstanceOf(UnsupportedVersionException.class);
        if (protocol == GroupProtocol.CONSUMER) {
            assertThat(e).hasMessageEndingWith("(GroupProtocol.CONSUMER, KIP-848, needs Kafka 4.0 or newer brokers: "
                    + "use GroupProtocol.CLASSIC with this cluster)");
        } else {
            assertThat(e.getMessage()).doesNotContain("GroupProtocol");
        }
        subscriber.close();
    }
}
