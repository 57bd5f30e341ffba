package io.courier.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
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
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/** What an exactly-once publisher tells its caller when a commit cannot tell it what happened. */
class KafkaPublisherTest {
    private static final Topic<String, String> ORDERS = Topic.of("orders", Serdes.string(), Serdes.string());

    /** A transactional producer that notes begins, commits and aborts, and may fail the nth of them. */
    private static class Recording extends MockProducer<byte[], byte[]> {
        final List<String> calls = new CopyOnWriteArrayList<>();

        Recording() {
            super(true, null, new ByteArraySerializer(), new ByteArraySerializer());
        }

        /** Called before the {@code nth} commit goes through; may throw, as Kafka's would. */
        void onCommit(long nth) {}

        /** Called before the {@code nth} abort goes through; may throw, as Kafka's would. */
        void onAbort(long nth) {}

        @Override
        public void beginTransaction() {
            calls.add("begin");
            super.beginTransaction();
        }

        @Override
        public void commitTransaction() {
            calls.add("commit");
            onCommit(calls.stream().filter(c -> c.startsWith("commit")).count());
            super.commitTransaction(); // a repeated call ends the first, as Kafka's waits for the first one's result
        }

        @Override
        public void abortTransaction() {
            calls.add("abort, interrupted: " + Thread.currentThread().isInterrupted());
            onAbort(calls.stream().filter(c -> c.startsWith("abort")).count());
            super.abortTransaction();
        }
    }

    @Test
    void anInterruptedCommitIsReportedAsUnknownNotAbortedAndEndedBeforeTheNextTransaction() {
        Recording producer = new Recording() {
            @Override
            void onCommit(long nth) {
                if (nth == 1) {
                    throw new InterruptException(new InterruptedException("stop"));
                }
            }
        };
        KafkaPublisher<String, String> publisher = new KafkaPublisher<>(ORDERS,
                CourierConfig.builder("localhost:9092").build(), DeliveryGuarantee.EXACTLY_ONCE, producer);

        CourierException e = assertThrows(CourierException.class, () -> publisher.inTransaction(p -> p.send("k", "v")));
        Thread.interrupted(); // InterruptException set this thread's flag, as Kafka does
        publisher.inTransaction(p -> p.send("k", "w"));

        assertThat(e).hasMessage("interrupted during the commit of a transaction on topic 'orders'; its outcome is "
                + "unknown (it may still commit); the next transaction first waits for it")
                .hasCauseInstanceOf(InterruptException.class);
        assertThat(producer.calls).as("a commit that may be on its way is not aborted, and is ended before anything "
                + "else").containsExactly("begin", "commit", "commit", "begin", "commit");
        assertThat(producer.history()).hasSize(2);
    }

    @Test
    void anAbortIsWaitedOutThoughTheThreadIsInterruptedAndOneThatTimesOutIsEndedBeforeTheNextTransaction() {
        Recording producer = new Recording() {
            @Override
            void onAbort(long nth) {
                if (nth == 2) {
                    throw new org.apache.kafka.common.errors.TimeoutException("abort not acknowledged");
                }
            }
        };
        KafkaPublisher<String, String> publisher = new KafkaPublisher<>(ORDERS,
                CourierConfig.builder("localhost:9092").build(), DeliveryGuarantee.EXACTLY_ONCE, producer);

        IllegalStateException interrupted = assertThrows(IllegalStateException.class, () -> publisher.inTransaction(p -> {
            p.send("k", "v");
            Thread.currentThread().interrupt(); // a fan-out wait interrupted, reported with the flag set
            throw new IllegalStateException("the fan-out was interrupted");
        }));
        boolean flagKept = Thread.interrupted();
        assertThrows(IllegalArgumentException.class, () -> publisher.inTransaction(p -> {
            throw new IllegalArgumentException("bad order");
        }));
        publisher.inTransaction(p -> p.send("k", "w"));

        assertThat(interrupted).hasMessage("the fan-out was interrupted");
        assertThat(flagKept).as("the caller's interrupt flag, restored after the abort").isTrue();
        assertThat(producer.calls).containsExactly("begin", "abort, interrupted: false", "begin",
                "abort, interrupted: false", "abort, interrupted: false", "begin", "commit");
        assertThat(producer.history()).as("only the committed transaction's message").hasSize(1);
    }

    @Test
    void closeWithoutATimeoutWaitsAsKafkasOwnCloseDoesForEveryOutstandingMessage() {
        AtomicReference<Duration> closedWith = new AtomicReference<>();
        MockProducer<byte[], byte[]> producer =
                new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer()) {
                    @Override
                    public void close(Duration timeout) {
                        closedWith.set(timeout);
                        super.close(timeout);
                    }
                };
        KafkaPublisher<String, String> publisher = new KafkaPublisher<>(ORDERS,
                CourierConfig.builder("localhost:9092").build(), DeliveryGuarantee.AT_LEAST_ONCE, producer);

        publisher.close();

        // What KafkaProducer.close() passes: no bound but the messages' own delivery.timeout.ms.
        assertThat(closedWith).hasValue(Duration.ofMillis(Long.MAX_VALUE));
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
                .hasMessage("timeout must be zero or more, but was -1ms");
        CourierException e = assertThrows(CourierException.class, () -> publisher.close(Duration.ofMillis(100)));

        assertThat(closedWith).hasValue(Duration.ofMillis(100));
        assertThat(e.getMessage()).startsWith("1 message(s) sent to topic 'orders' were not acknowledged")
                .contains("Producer is closed forcefully.");
        assertThat(published).isCompletedExceptionally();
        publisher.close(Duration.ZERO); // idempotent: nothing more to report
    }

    /** A producer whose send of the value "slow" waits for {@code release}, outside the producer's monitor. */
    private static final class SlowSendProducer extends MockProducer<byte[], byte[]> {
        final CountDownLatch inSend = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicBoolean slowSendReturned = new AtomicBoolean();
        final AtomicInteger sent = new AtomicInteger();
        /** How many records had been sent when each commit began. */
        final List<Integer> sentAtCommit = new CopyOnWriteArrayList<>();

        SlowSendProducer() {
            super(true, null, new ByteArraySerializer(), new ByteArraySerializer());
        }

        @Override
        public Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record, Callback callback) {
            boolean slow = "slow".equals(new String(record.value(), StandardCharsets.UTF_8));
            if (slow) {
                inSend.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }
            Future<RecordMetadata> result = super.send(record, callback);
            sent.incrementAndGet();
            slowSendReturned.compareAndSet(false, slow);
            return result;
        }

        @Override
        public void commitTransaction() {
            sentAtCommit.add(sent.get());
            super.commitTransaction();
        }
    }

    @Test
    void theEndOfATransactionWaitsForASendStillUnderWayOnAnotherThread() throws Exception {
        SlowSendProducer producer = new SlowSendProducer();
        KafkaPublisher<String, String> publisher = new KafkaPublisher<>(ORDERS,
                CourierConfig.builder("localhost:9092").build(), DeliveryGuarantee.EXACTLY_ONCE, producer);
        AtomicBoolean committedAfterTheSlowSend = new AtomicBoolean();
        Thread transaction = new Thread(() -> {
            publisher.inTransaction(p -> {
                new Thread(() -> p.send("k", "slow")).start();
                awaitQuietly(producer.inSend); // under way; the work returns without waiting for it, as it should not
            });
            committedAfterTheSlowSend.set(producer.slowSendReturned.get());
        });
        transaction.start();

        // Ending the transaction must wait: once the send is under way, the thread parks on the publisher's lock
        // instead of committing (or, were it not to wait, it ends).
        await().atMost(Duration.ofSeconds(20)).until(() -> producer.inSend.getCount() == 0
                && (isBlockedOnTheTransactionsLock(transaction) || !transaction.isAlive()));
        producer.release.countDown();
        transaction.join(20_000);

        assertThat(committedAfterTheSlowSend).as("the commit came after the send under way").isTrue();
        assertThat(producer.sentAtCommit).containsExactly(1);
    }

    @Test
    void thePublisherItselfCalledFromAnotherThreadDuringATransactionWaitsForItsEnd() throws Exception {
        SlowSendProducer producer = new SlowSendProducer();
        KafkaPublisher<String, String> publisher = new KafkaPublisher<>(ORDERS,
                CourierConfig.builder("localhost:9092").build(), DeliveryGuarantee.EXACTLY_ONCE, producer);
        AtomicReference<Thread> outside = new AtomicReference<>();

        publisher.inTransaction(p -> {
            p.send("k", "inside");
            Thread t = new Thread(() -> publisher.publish("k", "outside").join());
            outside.set(t);
            t.start();
            // It waits for this transaction, instead of sending into it or starting one of its own meanwhile.
            await().atMost(Duration.ofSeconds(20)).until(() -> t.getState() == Thread.State.WAITING);
            assertThat(producer.uncommittedRecords()).hasSize(1);
        });
        outside.get().join(20_000);

        assertThat(producer.sentAtCommit).as("records sent when each of the two transactions committed")
                .containsExactly(1, 2);
        assertThat(producer.history()).extracting(r -> new String(r.value(), StandardCharsets.UTF_8))
                .containsExactly("inside", "outside");
    }

    @Test
    void anExactlyOnceSendOutsideATransactionCommitsItsOwnAndAFailedOneThrowsOnceNotAgainAtFlush() {
        MockProducer<byte[], byte[]> producer =
                new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
        KafkaPublisher<String, String> publisher = new KafkaPublisher<>(ORDERS,
                CourierConfig.builder("localhost:9092").build(), DeliveryGuarantee.EXACTLY_ONCE, producer);

        publisher.send("k", "one");
        publisher.send("k", "two");
        assertThat(producer.commitCount()).as("a transaction each, committed before send returns").isEqualTo(2);

        producer.commitTransactionException = new org.apache.kafka.common.KafkaException("refused by the broker");
        CourierException refused = assertThrows(CourierException.class, () -> publisher.send("k", "three"));
        assertThat(refused.getMessage()).startsWith("transaction on topic 'orders' failed and was aborted: ")
                .contains("refused by the broker");
        producer.commitTransactionException = null;

        publisher.flush(); // the refusal was reported by send itself: not counted again
        publisher.close();
    }

    private static boolean isBlockedOnTheTransactionsLock(Thread t) {
        Object blocker = java.util.concurrent.locks.LockSupport.getBlocker(t);
        return blocker != null && blocker.getClass().getName().contains("ReentrantReadWriteLock");
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
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
    void eachFailedSendReachesTheMetricsAndTheFirstSinceTheLastFlushTheLog() throws Exception {
        List<String> failed = new CopyOnWriteArrayList<>();
        CourierMetrics counting = new CourierMetrics() {
            @Override
            public void publishFailed(String topic, Throwable error) {
                failed.add(error.getMessage());
            }
        };
        MockProducer<byte[], byte[]> producer =
                new MockProducer<>(false, null, new ByteArraySerializer(), new ByteArraySerializer());
        KafkaPublisher<String, String> publisher = new KafkaPublisher<>(ORDERS,
                CourierConfig.builder("localhost:9092").metrics(counting).build(), DeliveryGuarantee.AT_LEAST_ONCE,
                producer);

        String log = CapturedLog.during(() -> {
            for (String key : List.of("a", "b", "c")) {
                publisher.send(key, "v");
                producer.errorNext(new RuntimeException("broker down for " + key));
            }
            assertThat(assertThrows(CourierException.class, publisher::flush)).hasMessageStartingWith(
                    "3 message(s) sent to topic 'orders' were not acknowledged");
            publisher.send("d", "v");
            producer.errorNext(new RuntimeException("broker down for d"));
        });

        assertThat(failed).containsExactly("broker down for a", "broker down for b", "broker down for c",
                "broker down for d");
        String logger = " WARN " + KafkaPublisher.class.getName() + " - ";
        assertThat(log.lines().filter(line -> line.contains(logger)).map(line -> line.substring(line.indexOf(logger)
                + logger.length()))).containsExactly(
                "cannot publish to topic 'orders' (key 'a') at localhost:9092: RuntimeException: broker down for a",
                "cannot publish to topic 'orders' (key 'd') at localhost:9092: RuntimeException: broker down for d");
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
    void aCallerThatHasItsResultSeesItCountedAndAnErrorOfTheMetricsStillCompletesIt() {
        AtomicInteger counted = new AtomicInteger();
        CourierMetrics counting = new CourierMetrics() {
            @Override
            public void published(String topic, long nanos) {
                if (counted.incrementAndGet() > 1) {
                    throw new InternalError("the JVM's own error"); // one that GuardedMetrics lets through
                }
            }

            @Override
            public void publishFailed(String topic, Throwable error) {
                throw new InternalError("the JVM's own error");
            }
        };
        MockProducer<byte[], byte[]> producer =
                new MockProducer<>(false, null, new ByteArraySerializer(), new ByteArraySerializer());
        KafkaPublisher<String, String> publisher = new KafkaPublisher<>(ORDERS,
                CourierConfig.builder("localhost:9092").metrics(counting).build(), DeliveryGuarantee.AT_LEAST_ONCE,
                producer);

        CompletableFuture<Integer> seen = publisher.publish("k", "v").thenApply(r -> counted.get());
        producer.completeNext();
        assertThat(seen).isCompletedWithValue(1);

        CompletableFuture<PublishResult> second = publisher.publish("k", "w");
        assertThrows(Error.class, producer::completeNext);
        assertThat(second).isCompleted();
        CompletableFuture<PublishResult> third = publisher.publish("k", "x");
        assertThrows(Error.class, () -> producer.errorNext(new RuntimeException("broker down")));
        assertThat(third).isCompletedExceptionally();
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

    @Test
    void anExactlyOncePublishCountsAsPublishedOnlyOnceItsTransactionCommitsAndAsFailedWhenItAborts() {
        java.util.List<String> measured = new java.util.concurrent.CopyOnWriteArrayList<>();
        CourierMetrics recording = new CourierMetrics() {
            @Override
            public void published(String topic, long nanos) {
                measured.add("published " + topic);
            }

            @Override
            public void publishFailed(String topic, Throwable error) {
                measured.add("failed " + topic + ": " + error.getMessage());
            }
        };
        MockProducer<byte[], byte[]> producer =
                new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
        KafkaPublisher<String, String> publisher = new KafkaPublisher<>(ORDERS,
                CourierConfig.builder("localhost:9092").metrics(recording).build(), DeliveryGuarantee.EXACTLY_ONCE,
                producer);

        assertThrows(IllegalStateException.class, () -> publisher.inTransaction(p -> {
            p.publishAndWait("k", "acknowledged, then aborted");
            p.send("k", "acknowledged, then aborted");
            assertThat(measured).as("acknowledged, not yet committed").isEmpty();
            throw new IllegalStateException("validation failed");
        }));
        assertThat(measured).containsExactly("failed orders: validation failed", "failed orders: validation failed");

        measured.clear();
        producer.commitTransactionException = new org.apache.kafka.common.errors.UnsupportedVersionException("no");
        assertThat(publisher.publish("k", "v")).failsWithin(java.time.Duration.ofSeconds(5));
        assertThat(measured).as("acknowledged, then its commit failed and it was aborted")
                .containsExactly("failed orders: no");

        measured.clear();
        producer.commitTransactionException = null;
        publisher.publishAndWait("k", "v");
        assertThat(measured).containsExactly("published orders");
    }
}
