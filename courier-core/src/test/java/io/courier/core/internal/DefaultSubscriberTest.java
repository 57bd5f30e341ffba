package io.courier.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.courier.common.CourierException;
import io.courier.common.CourierRetriableException;
import io.courier.core.CourierConfig;
import io.courier.core.GroupProtocol;
import io.courier.core.Handlers;
import io.courier.core.Serdes;
import io.courier.core.SubscriberOptions;
import io.courier.core.Topic;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

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

    @Test
    void closeRefusesANullOrNegativeTimeoutAndStaysOpenForAProperClose() {
        DefaultSubscriber subscriber = new DefaultSubscriber("subscriber 'billing' of topic 'orders'", 2, i -> {
            throw new AssertionError("not started");
        });

        assertThat(assertThrows(IllegalArgumentException.class, () -> subscriber.close(Duration.ofMillis(-1))))
                .hasMessage("timeout must be zero or more, but was -1ms");
        assertThat(assertThrows(IllegalArgumentException.class, () -> subscriber.close(null)))
                .hasMessage("timeout must be zero or more, but was null");
        subscriber.close(Duration.ZERO);
        assertThat(assertThrows(IllegalStateException.class, subscriber::start)).as("closed by the proper call")
                .hasMessage("subscriber 'billing' of topic 'orders' is closed");
    }

    @Test
    void aThreadWhoseClientsCannotBeCreatedLeavesNoOtherThreadRunning() {
        CourierConfig config = CourierConfig.builder("localhost:9092").build();
        RecordingConsumer first = new RecordingConsumer();
        DefaultSubscriber subscriber = new DefaultSubscriber("subscriber 'billing' of topic 'orders'", 2, i -> {
            if (i == 1) {
                throw new ConfigException("max.in.flight.requests.per.connection", 6,
                        "must be at most 5 with idempotence");
            }
            return new SubscriberWorker<>("w", "orders", SubscriberOptions.builder("billing").build(), config,
                    new RecordHandler<>(ORDERS, Handlers.all((m, ctx) -> {}), config), first,
                    () -> new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer()), "orders.dlt");
        });

        CourierException e = assertThrows(CourierException.class, subscriber::start);

        assertThat(e).hasMessageStartingWith("cannot start subscriber 'billing' of topic 'orders': Invalid value 6 "
                + "for configuration max.in.flight.requests.per.connection");
        assertThat(first.closed()).as("the first thread's consumer").isTrue();
        assertThat(subscriber.isRunning()).isFalse();
    }

    @Test
    void aHandlerMayCloseItsOwnSubscriberAndItsRecordIsStillCommitted() {
        CourierConfig config = CourierConfig.builder("localhost:9092").build();
        RecordingConsumer consumer = new RecordingConsumer();
        TopicPartition p = new TopicPartition("orders", 0);
        AtomicReference<DefaultSubscriber> self = new AtomicReference<>();
        CompletableFuture<Void> closedByHandler = new CompletableFuture<>();
        DefaultSubscriber subscriber = new DefaultSubscriber("subscriber 'billing' of topic 'orders'", 1,
                i -> new SubscriberWorker<>("w", "orders", SubscriberOptions.builder("billing").build(), config,
                        new RecordHandler<>(ORDERS, Handlers.all((m, ctx) -> {
                            self.get().close(); // "stop after this one"
                            closedByHandler.complete(null);
                        }), config), consumer,
                        () -> new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer()),
                        "orders.dlt"));
        self.set(subscriber);
        consumer.assignFromStart(p, new ConsumerRecord<>("orders", 0, 0, "k".getBytes(StandardCharsets.UTF_8),
                "v".getBytes(StandardCharsets.UTF_8)));

        subscriber.start();

        // Before the fix, close() waited 30 s for its own thread, then interrupted it, and the record was not committed.
        assertThat(closedByHandler).succeedsWithin(Duration.ofSeconds(20));
        await().atMost(Duration.ofSeconds(20)).until(() -> !subscriber.isRunning());
        assertThat(consumer.commits).containsEntry(p, new OffsetAndMetadata(1));
    }

    @Test
    void aCloseThatTimesOutInterruptsTheHandlerWithoutDeadLetteringItsMessage() throws Exception {
        CourierConfig config = CourierConfig.builder("localhost:9092").build();
        RecordingConsumer consumer = new RecordingConsumer();
        MockProducer<byte[], byte[]> producer =
                new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
        TopicPartition p = new TopicPartition("orders", 0);
        java.util.concurrent.CountDownLatch handling = new java.util.concurrent.CountDownLatch(1);
        DefaultSubscriber subscriber = new DefaultSubscriber("subscriber 'billing' of topic 'orders'", 1,
                i -> new SubscriberWorker<>("w", "orders", SubscriberOptions.builder("billing")
                        .retry(io.courier.core.RetryPolicy.noRetries()).build(), config,
                        new RecordHandler<>(ORDERS, Handlers.all((m, ctx) -> {
                            handling.countDown();
                            try {
                                Thread.sleep(60_000);
                            } catch (InterruptedException e) {
                                throw new IllegalStateException("wrapped, the flag not restored", e);
                            }
                        }), config), consumer, () -> producer, "orders.dlt"));
        consumer.assignFromStart(p, new ConsumerRecord<>("orders", 0, 0, "k".getBytes(StandardCharsets.UTF_8),
                "v".getBytes(StandardCharsets.UTF_8)));
        subscriber.start();
        assertThat(handling.await(20, java.util.concurrent.TimeUnit.SECONDS)).isTrue();

        subscriber.close(Duration.ofMillis(200)); // too short for the handler: it is interrupted

        assertThat(subscriber.isRunning()).isFalse();
        assertThat(producer.history()).as("no dead letter: the message comes again to the next owner").isEmpty();
        assertThat(consumer.commits).doesNotContainKey(p);
    }

    @Test
    void aSecondCloseWaitsForTheFirstToFinishTheWorkInFlight() throws Exception {
        CourierConfig config = CourierConfig.builder("localhost:9092").build();
        RecordingConsumer consumer = new RecordingConsumer();
        TopicPartition p = new TopicPartition("orders", 0);
        java.util.concurrent.CountDownLatch handling = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch finish = new java.util.concurrent.CountDownLatch(1);
        DefaultSubscriber subscriber = new DefaultSubscriber("subscriber 'billing' of topic 'orders'", 1,
                i -> new SubscriberWorker<>("w", "orders", SubscriberOptions.builder("billing").build(), config,
                        new RecordHandler<>(ORDERS, Handlers.all((m, ctx) -> {
                            handling.countDown();
                            finish.await();
                        }), config), consumer,
                        () -> new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer()),
                        "orders.dlt"));
        consumer.assignFromStart(p, new ConsumerRecord<>("orders", 0, 0, "k".getBytes(StandardCharsets.UTF_8),
                "v".getBytes(StandardCharsets.UTF_8)));
        subscriber.start();
        assertThat(handling.await(20, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        CompletableFuture<Void> first = CompletableFuture.runAsync(subscriber::close);
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            try {
                subscriber.start(); // refused once the first close has begun
                return false;
            } catch (IllegalStateException e) {
                return e.getMessage().endsWith(" is closed"); // not "was started before"
            }
        });

        CompletableFuture<Void> second = CompletableFuture.runAsync(subscriber::close); // a shutdown hook, say

        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5)).until(() -> !second.isDone());
        finish.countDown();
        assertThat(second).succeedsWithin(Duration.ofSeconds(20));
        assertThat(first).succeedsWithin(Duration.ofSeconds(20));
        assertThat(subscriber.isRunning()).as("the second close returned after the threads ended").isFalse();
        assertThat(consumer.commits).containsEntry(p, new OffsetAndMetadata(1));
    }

    @Test
    void aCloseWithoutBoundStopsTheThreads() {
        CourierConfig config = CourierConfig.builder("localhost:9092").build();
        RecordingConsumer consumer = new RecordingConsumer();
        TopicPartition p = new TopicPartition("orders", 0);
        DefaultSubscriber subscriber = new DefaultSubscriber("subscriber 'billing' of topic 'orders'", 1,
                i -> new SubscriberWorker<>("w", "orders", SubscriberOptions.builder("billing").build(), config,
                        new RecordHandler<>(ORDERS, Handlers.all((m, ctx) -> { }), config), consumer,
                        () -> new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer()),
                        "orders.dlt"));
        consumer.assignFromStart(p, new ConsumerRecord<>("orders", 0, 0, "k".getBytes(StandardCharsets.UTF_8),
                "v".getBytes(StandardCharsets.UTF_8)));
        subscriber.start();
        await().atMost(Duration.ofSeconds(20)).until(() -> consumer.commits.containsKey(p));

        subscriber.close(Duration.ofMillis(Long.MAX_VALUE)); // Kafka's idiom for "no bound"

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
                        () -> new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer()),
                        "orders.dlt"));
        subscriber.start();

        // The wait ends when the thread stops, not at its timeout: a minute is far below the timeout and far above
        // the moment the thread stops.
        CourierException e = assertThrows(CourierException.class, () -> assertTimeoutPreemptively(
                Duration.ofMinutes(1), () -> subscriber.awaitAssignment(Duration.ofMinutes(10))));

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
