package io.courier.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.courier.common.CourierException;
import io.courier.core.CourierConfig;
import io.courier.core.DeliveryGuarantee;
import io.courier.core.PublishResult;
import io.courier.core.Serdes;
import io.courier.core.Topic;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A publisher's close, and calls that would block the producer, without a broker. */
@Timeout(60)
class KafkaPublisherLifecycleTest {
    private static final Topic<String, String> ORDERS = Topic.of("orders", Serdes.string(), Serdes.string());
    private final CourierConfig config = CourierConfig.builder("localhost:9092").build();
    private final List<String> calls = new CopyOnWriteArrayList<>();

    /** A producer that notes commits and closes, in order. */
    private MockProducer<byte[], byte[]> recording(boolean autoComplete) {
        return new MockProducer<>(autoComplete, null, new ByteArraySerializer(), new ByteArraySerializer()) {
            @Override
            public void commitTransaction() {
                calls.add("commit");
                super.commitTransaction();
            }

            @Override
            public void close(Duration timeout) {
                calls.add("close " + timeout);
                timeout.toMillis(); // as Kafka's close does, which throws past Long.MAX_VALUE ms
                super.close(timeout);
            }
        };
    }

    @Test
    void closeWaitsForATransactionUnderWayToCommitInsteadOfCuttingItOff() throws Exception {
        MockProducer<byte[], byte[]> producer = recording(true);
        KafkaPublisher<String, String> publisher = new KafkaPublisher<>(ORDERS, config,
                DeliveryGuarantee.EXACTLY_ONCE, producer);
        CountDownLatch working = new CountDownLatch(1);
        CountDownLatch finish = new CountDownLatch(1);
        AtomicReference<Throwable> workFailed = new AtomicReference<>();
        Thread work = new Thread(() -> publisher.inTransaction(p -> {
            p.send("k", "v");
            working.countDown();
            try {
                finish.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            try {
                publisher.send("k", "w"); // through the publisher itself, while close waits: joins, as before it
            } catch (RuntimeException e) {
                workFailed.set(e);
            }
        }));
        work.start();
        assertThat(working.await(20, TimeUnit.SECONDS)).isTrue();

        Thread closer = new Thread(() -> publisher.close(Duration.ofSeconds(30)));
        closer.start();
        await().atMost(Duration.ofSeconds(20)).until(() -> closer.getState() == Thread.State.TIMED_WAITING);
        assertThat(calls).as("close waits while the transaction is under way").isEmpty();
        finish.countDown();
        work.join(20_000);
        closer.join(20_000);

        assertThat(workFailed).hasValue(null);
        assertThat(calls).hasSize(2).startsWith("commit");
        assertThat(calls.get(1)).startsWith("close PT");
        assertThat(producer.history()).hasSize(2);
    }

    @Test
    void closingFromAStageOfAFutureDoesNotWaitForTheTransactionThatWaitsForThatStage() throws Exception {
        MockProducer<byte[], byte[]> producer = recording(false);
        KafkaPublisher<String, String> publisher = new KafkaPublisher<>(ORDERS, config,
                DeliveryGuarantee.EXACTLY_ONCE, producer);
        CompletableFuture<Void> closedInStage = new CompletableFuture<>();
        Thread io = new Thread(() -> { // the producer's I/O thread: it fails the send, and runs the stage
            await().atMost(Duration.ofSeconds(20)).until(() -> !producer.history().isEmpty()
                    || producer.uncommittedRecords().size() == 1);
            producer.errorNext(new KafkaException("refused"));
        });
        io.start();

        CourierException e = assertThrows(CourierException.class, () -> publisher.inTransaction(p -> {
            p.publish("k", "v").whenComplete((r, x) -> {
                publisher.close(Duration.ofSeconds(30)); // while the work below holds the transaction
                closedInStage.complete(null);
            });
            closedInStage.orTimeout(20, TimeUnit.SECONDS).join(); // the work waits for the stage
        }));
        io.join(20_000);

        assertThat(calls).as("closed at once, not after the stage waited for the transaction").contains("close PT0S");
        assertThat(e).hasMessage("the publisher of topic 'orders' was closed during the commit of a transaction; its "
                + "outcome is unknown (it may still commit)");
    }

    @Test
    void thePublisherCannotBeClosedFromInsideItsOwnTransaction() {
        KafkaPublisher<String, String> publisher = new KafkaPublisher<>(ORDERS, config,
                DeliveryGuarantee.EXACTLY_ONCE, recording(true));

        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> publisher.inTransaction(p -> publisher.close()));

        assertThat(e).hasMessage("the publisher of topic 'orders' cannot be closed inside its own transaction; close "
                + "it after inTransaction returns");
        publisher.close(); // and after it, it can
        assertThat(calls).last().isEqualTo("close " + Duration.ofMillis(Long.MAX_VALUE));
    }

    @Test
    void aTransactionStartedFromItsOwnWorkJoinsIt() {
        MockProducer<byte[], byte[]> producer = recording(true);
        KafkaPublisher<String, String> publisher = new KafkaPublisher<>(ORDERS, config,
                DeliveryGuarantee.EXACTLY_ONCE, producer);

        publisher.inTransaction(p -> {
            p.send("k", "v");
            publisher.inTransaction(inner -> inner.send("k", "w"));
        });

        assertThat(calls).containsExactly("commit");
        assertThat(producer.history()).hasSize(2);
    }

    @Test
    void waitingForThePublisherInAStageOfItsOwnFutureIsRefusedInsteadOfBlockingTheProducerForGood() {
        MockProducer<byte[], byte[]> producer = recording(false);
        KafkaPublisher<String, String> publisher = new KafkaPublisher<>(ORDERS, config,
                DeliveryGuarantee.AT_LEAST_ONCE, producer);
        CompletableFuture<PublishResult> chained = publisher.publish("k", "first")
                .thenApply(r -> publisher.publishAndWait("k", "second"));
        CompletableFuture<Void> flushed = publisher.publish("k", "third").thenRun(publisher::flush);

        producer.completeNext(); // on the test's thread, as on the producer's I/O thread: the stages run here
        producer.completeNext();

        assertThat(chained).failsWithin(Duration.ZERO).withThrowableThat().havingCause()
                .isInstanceOf(IllegalStateException.class).withMessage("publishAndWait on the publisher of topic "
                        + "'orders' was called from a stage of one of its own publish futures, which runs on its "
                        + "producer's I/O thread: waiting there would stop the producer that is to end the wait; "
                        + "chain with thenComposeAsync or thenApplyAsync instead");
        assertThat(flushed).failsWithin(Duration.ZERO).withThrowableThat().havingCause()
                .isInstanceOf(IllegalStateException.class).withMessageStartingWith("flush on the publisher");
        assertThat(publisher.publish("k", "later")).as("outside a stage, nothing is refused").isNotDone();
    }

    @Test
    void aSendTheProducerRefusesBeforeQueuingItFailsTheFutureNamingTopicAndKey() {
        MockProducer<byte[], byte[]> producer =
                new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer()) {
                    @Override
                    public synchronized Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> r, Callback c) {
                        throw new KafkaException("Producer closed while send in progress");
                    }
                };
        KafkaPublisher<String, String> publisher = new KafkaPublisher<>(ORDERS, config,
                DeliveryGuarantee.AT_LEAST_ONCE, producer);

        CompletableFuture<PublishResult> published = publisher.publish("k1", "v");
        publisher.send("k2", "v");

        assertThat(published).failsWithin(Duration.ZERO).withThrowableThat().havingCause()
                .isInstanceOf(CourierException.class).withMessage("cannot publish to topic 'orders' (key 'k1') at "
                        + "localhost:9092: KafkaException: Producer closed while send in progress");
        assertThat(assertThrows(CourierException.class, publisher::flush))
                .hasMessageStartingWith("1 message(s) sent to topic 'orders' were not acknowledged; the first: "
                        + "cannot publish to topic 'orders' (key 'k2')");
    }

    @Test
    void aKeyWhoseToStringFailsStillFailsItsFuture() {
        MockProducer<byte[], byte[]> producer = recording(false);
        Topic<Object, String> anything = Topic.of("orders", new io.courier.core.Serde<Object>() {
            @Override
            public Class<Object> type() {
                return Object.class;
            }

            @Override
            public String contentType() {
                return "application/octet-stream";
            }

            @Override
            public byte[] serialize(Object value) {
                return new byte[] {1};
            }

            @Override
            public Object deserialize(byte[] data, String messageType) {
                return data;
            }
        }, Serdes.string());
        KafkaPublisher<Object, String> publisher = new KafkaPublisher<>(anything, config,
                DeliveryGuarantee.AT_LEAST_ONCE, producer);
        Object key = new Object() {
            @Override
            public String toString() {
                throw new IllegalStateException("lazy entity not loaded");
            }
        };
        CompletableFuture<PublishResult> published = publisher.publish(key, "v");

        producer.errorNext(new KafkaException("broker down"));

        assertThat(published).failsWithin(Duration.ZERO).withThrowableThat().havingCause()
                .withMessageContaining("whose toString() failed: java.lang.IllegalStateException: lazy entity not "
                        + "loaded");
    }

    @Test
    void aCloseTimeoutBeyondWhatKafkaTakesWaitsWithoutBoundInsteadOfLeakingTheProducer() {
        MockProducer<byte[], byte[]> producer = recording(true);
        KafkaPublisher<String, String> publisher = new KafkaPublisher<>(ORDERS, config,
                DeliveryGuarantee.AT_LEAST_ONCE, producer);

        publisher.close(Duration.ofSeconds(Long.MAX_VALUE));

        assertThat(calls).containsExactly("close " + Duration.ofMillis(Long.MAX_VALUE));
        assertThat(producer.closed()).isTrue();
    }
}
