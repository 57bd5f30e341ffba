package io.courier.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.courier.common.CourierException;
import io.courier.core.CourierConfig;
import io.courier.core.CourierMetrics;
import io.courier.core.DeliveryGuarantee;
import io.courier.core.PublishResult;
import io.courier.core.Publisher;
import io.courier.core.Serdes;
import io.courier.core.Topic;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/** What an exactly-once publisher tells its caller when a commit cannot tell it what happened. */
class KafkaPublisherTest {
    private static final Topic<String, String> ORDERS = Topic.of("orders", Serdes.string(), Serdes.string());

    @Test
    void anInterruptedCommitIsReportedAsUnknownNotAborted() {
        AtomicInteger aborts = new AtomicInteger();
        MockProducer<byte[], byte[]> producer =
                new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer()) {
                    @Override
                    public void commitTransaction() {
                        throw new InterruptException(new InterruptedException("stop"));
                    }

                    @Override
                    public void abortTransaction() {
                        aborts.incrementAndGet();
                        super.abortTransaction();
                    }
                };
        KafkaPublisher<String, String> publisher = new KafkaPublisher<>(ORDERS,
                CourierConfig.builder("localhost:9092").build(), DeliveryGuarantee.EXACTLY_ONCE, producer);

        CourierException e = assertThrows(CourierException.class, () -> publisher.inTransaction(p -> p.send("k", "v")));

        assertThat(e).hasMessage("interrupted during the commit of a transaction on topic 'orders'; its outcome is "
                + "unknown (it may still commit); close this publisher and create a new one")
                .hasCauseInstanceOf(InterruptException.class);
        assertThat(aborts).as("a commit that may be on its way is not aborted").hasValue(0);
        Thread.interrupted(); // InterruptException set this thread's flag, as Kafka does
    }

    @Test
    void closeWithATimeoutHandsItToTheProducerAndCountsTheMessagesItCutOff() {
        AtomicReference<Duration> closedWith = new AtomicReference<>();
        MockProducer<byte[], byte[]> producer =
                new MockProducer<>(false, null, new ByteArraySerializer(), new ByteArraySerializer()) {
                    @Override
                    public void close(Duration timeout) {
                        closedWith.set(timeout);
                        // As Kafka's producer does once the timeout passed: what is still buffered fails.
                        while (errorNext(new org.apache.kafka.common.KafkaException("Producer is closed forcefully."))) {
                            continue;
                        }
                        super.close(timeout);
                    }
                };
        KafkaPublisher<String, String> publisher = new KafkaPublisher<>(ORDERS,
                CourierConfig.builder("localhost:9092").build(), DeliveryGuarantee.AT_LEAST_ONCE, producer);
        publisher.send("k1", "v1");
        CompletableFuture<PublishResult> published = publisher.publish("k2", "v2");

        assertThat(assertThrows(IllegalArgumentException.class, () -> publisher.close(Duration.ofMillis(-1))))
                .hasMessage("timeout must be zero or more, but was PT-0.001S");
        CourierException e = assertThrows(CourierException.class, () -> publisher.close(Duration.ofMillis(100)));

        assertThat(closedWith).hasValue(Duration.ofMillis(100));
        assertThat(e.getMessage()).startsWith("1 message(s) sent to topic 'orders' were not acknowledged")
                .contains("Producer is closed forcefully.");
        assertThat(published).isCompletedExceptionally();
        publisher.close(Duration.ZERO); // idempotent: nothing more to report
    }

    @Test
    void aTransactionsWorkMayPublishFromOtherThreadsAndItsPublisherEndsWithIt() {
        MockProducer<byte[], byte[]> producer =
                new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
        KafkaPublisher<String, String> publisher = new KafkaPublisher<>(ORDERS,
                CourierConfig.builder("localhost:9092").build(), DeliveryGuarantee.EXACTLY_ONCE, producer);
        AtomicReference<Publisher<String, String>> given = new AtomicReference<>();

        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> publisher.inTransaction(p -> {
            given.set(p);
            CompletableFuture.runAsync(() -> p.send("k1", "v1")).join(); // waited for it used to wait for ever
            p.publish("k2", "v2").join();
        }));

        assertThat(producer.history()).hasSize(2);
        assertThat(producer.transactionCommitted()).isTrue();
        IllegalStateException late = assertThrows(IllegalStateException.class, () -> given.get().send("k3", "v3"));
        assertThat(late).hasMessage("the transaction on topic 'orders' has ended; publish inside the work given to "
                + "inTransaction");
    }

    @Test
    void metricsThatThrowNeitherLeaveAPublishUnfinishedNorHideAFailedSend() {
        CourierMetrics broken = new CourierMetrics() {
            @Override
            public void published(String topic, long nanos) {
                throw new IllegalStateException("tag clash");
            }

            @Override
            public void publishFailed(String topic, Throwable error) {
                throw new IllegalStateException("tag clash");
            }
        };
        MockProducer<byte[], byte[]> producer =
                new MockProducer<>(false, null, new ByteArraySerializer(), new ByteArraySerializer());
        KafkaPublisher<String, String> publisher = new KafkaPublisher<>(ORDERS,
                CourierConfig.builder("localhost:9092").metrics(broken).build(), DeliveryGuarantee.AT_LEAST_ONCE,
                producer);

        CompletableFuture<PublishResult> published = publisher.publish("k", "v");
        producer.completeNext();
        publisher.send("k", "lost");
        producer.errorNext(new RuntimeException("broker down"));

        assertThat(published).isCompleted();
        CourierException e = assertThrows(CourierException.class, publisher::flush);
        assertThat(e).hasMessageStartingWith("1 message(s) sent to topic 'orders' were not acknowledged");
    }

    @Test
    void anExactlyOncePublisherCountsItsAcknowledgedSends() {
        AtomicInteger published = new AtomicInteger();
        CourierMetrics counting = new CourierMetrics() {
            @Override
            public void published(String topic, long nanos) {
                published.incrementAndGet();
            }
        };
        MockProducer<byte[], byte[]> producer =
                new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
        KafkaPublisher<String, String> publisher = new KafkaPublisher<>(ORDERS,
                CourierConfig.builder("localhost:9092").metrics(counting).build(), DeliveryGuarantee.EXACTLY_ONCE,
                producer);

        publisher.inTransaction(p -> p.send("k", "v"));
        publisher.send("k", "w");

        assertThat(published).hasValue(2);
    }
}
