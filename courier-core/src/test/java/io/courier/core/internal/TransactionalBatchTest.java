package io.courier.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.courier.common.CourierException;
import io.courier.core.CourierConfig;
import io.courier.core.DeliveryGuarantee;
import io.courier.core.Handlers;
import io.courier.core.RetryPolicy;
import io.courier.core.Serdes;
import io.courier.core.SubscriberOptions;
import io.courier.core.Topic;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Whom an exactly-once batch blames when the broker refuses output. A refused send fails the sends queued behind
 * it with the same error, as Kafka's producer does; the test fixes which record comes first in the poll.
 */
class TransactionalBatchTest {
    private static final Topic<String, String> ORDERS = Topic.of("orders", Serdes.string(), Serdes.string());
    private static final Topic<String, String> OUT = Topic.of("out", Serdes.string(), Serdes.string());

    /** A consumer over a fixed log: every poll offers the records from the position on, as a broker would. */
    private final RecordingConsumer consumer = new RecordingConsumer() {
        final List<ConsumerRecord<byte[], byte[]>> log = new ArrayList<>();

        @Override
        public synchronized void addRecord(ConsumerRecord<byte[], byte[]> record) {
            if (!log.contains(record)) {
                log.add(record);
            }
            super.addRecord(record);
        }

        @Override
        public synchronized ConsumerRecords<byte[], byte[]> poll(Duration timeout) {
            log.stream().filter(r -> assignment().contains(new TopicPartition(r.topic(), r.partition())))
                    .forEach(super::addRecord);
            return super.poll(timeout);
        }
    };
    private final List<ProducerRecord<byte[], byte[]>> committed = new CopyOnWriteArrayList<>();
    /** Whether a send after a refusal in the same transaction throws at once, as Kafka's transactional producer does. */
    private volatile boolean refuseLaterSendsAtOnce;
    /** Whether an abort fails the sends still queued, as Kafka's producer does (TransactionAbortedException). */
    private volatile boolean abortFailsQueuedSends;
    private final MockProducer<byte[], byte[]> producer =
            new MockProducer<>(false, null, new ByteArraySerializer(), new ByteArraySerializer()) {
                private final List<ProducerRecord<byte[], byte[]>> inTransaction = new ArrayList<>();
                private RecordTooLargeException refused;

                @Override
                public void beginTransaction() {
                    super.beginTransaction();
                    inTransaction.clear();
                    refused = null;
                }

                @Override
                public synchronized Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> r, Callback callback) {
                    if (refused != null && refuseLaterSendsAtOnce) {
                        throw new KafkaException("Cannot perform send because at least one previous transactional "
                                + "or idempotent request has failed with errors.", refused);
                    }
                    if ("big".equals(new String(r.value(), StandardCharsets.UTF_8))) {
                        refused = new RecordTooLargeException("too large for topic " + r.topic());
                        callback.onCompletion(null, refused);
                        return CompletableFuture.failedFuture(refused);
                    }
                    inTransaction.add(r);
                    return super.send(r, callback); // acknowledged at flush, or failed with the refusal before it
                }

                @Override
                public synchronized void flush() {
                    while (refused == null ? completeNext() : errorNext(refused)) {
                        // one queued send at a time
                    }
                }

                @Override
                public void abortTransaction() {
                    if (abortFailsQueuedSends) {
                        while (errorNext(new org.apache.kafka.common.errors.TransactionAbortedException("aborted"))) {
                            // one queued send at a time
                        }
                    }
                    super.abortTransaction();
                }

                @Override
                public void commitTransaction() {
                    flush();
                    if (refused != null) {
                        throw new KafkaException("cannot commit: a send of this transaction failed", refused);
                    }
                    super.commitTransaction();
                    committed.addAll(inTransaction);
                }
            };

    @ParameterizedTest
    @ValueSource(ints = {0, 1})
    void theRecordWhoseOutputWasRefusedFirstIsBlamedNotAnEarlierOneWhoseSendWaitedBehindIt(int refusingPartition) {
        TopicPartition refusing = new TopicPartition("orders", refusingPartition);
        TopicPartition innocent = new TopicPartition("orders", 1 - refusingPartition);
        CourierConfig config = CourierConfig.builder("localhost:9092").build();
        SubscriberWorker<String, String> worker = new SubscriberWorker<>("w", "orders",
                SubscriberOptions.builder("g").guarantee(DeliveryGuarantee.EXACTLY_ONCE)
                        .retry(RetryPolicy.exponential(2, Duration.ofMillis(10))).build(), config,
                new RecordHandler<>(ORDERS, Handlers.all((m, ctx) -> ctx.publish(OUT, m.key(),
                        m.key().equals("b") ? "big" : "small")), config),
                consumer, () -> producer, "orders.dlt");
        consumer.assignFromStart(List.of(refusing, innocent), record(innocent, "a"), record(refusing, "b"));
        Thread t = new Thread(worker);
        t.start();
        try {
            await().atMost(Duration.ofSeconds(20)).until(() -> committed.size() == 2);
            assertThat(committed).extracting(r -> r.topic() + ":" + new String(r.key(), StandardCharsets.UTF_8))
                    .as("b, whose output was refused, went to the dead-letter topic; a's output went out")
                    .containsExactlyInAnyOrder("out:a", "orders.dlt:b");
        } finally {
            worker.stop();
            worker.wakeup();
            await().atMost(Duration.ofSeconds(10)).until(() -> !t.isAlive());
        }
    }

    @Test
    void aRecordWaitingForItsRetryDoesNotHoldUpTheTransactionsOfTheOtherPartitions() {
        TopicPartition failing = new TopicPartition("orders", 0);
        TopicPartition other = new TopicPartition("orders", 1);
        CourierConfig config = CourierConfig.builder("localhost:9092").build();
        SubscriberWorker<String, String> worker = new SubscriberWorker<>("w", "orders",
                SubscriberOptions.builder("g").guarantee(DeliveryGuarantee.EXACTLY_ONCE)
                        .retry(RetryPolicy.exponential(3, Duration.ofMinutes(1))).build(), config,
                new RecordHandler<>(ORDERS, Handlers.all((m, ctx) -> {
                    if (m.key().equals("a")) {
                        throw new IllegalStateException("database busy"); // its retry waits a minute
                    }
                    ctx.publish(OUT, m.key(), "small");
                }), config),
                consumer, () -> producer, "orders.dlt");
        consumer.assignFromStart(List.of(failing, other), record(failing, "a"), record(other, "b"));
        Thread t = new Thread(worker);
        t.start();
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> !committed.isEmpty());
            assertThat(committed).extracting(r -> r.topic() + ":" + new String(r.key(), StandardCharsets.UTF_8))
                    .containsExactly("out:b");
            assertThat(consumer.paused()).containsExactly(failing);
        } finally {
            worker.stop();
            worker.wakeup();
            await().atMost(Duration.ofSeconds(10)).until(() -> !t.isAlive());
        }
    }

    /** A producer the broker fences at commit, as it does once it aborted a transaction that timed out. */
    private static MockProducer<byte[], byte[]> fencedAtCommit() {
        return new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer()) {
            @Override
            public void commitTransaction() {
                throw new ProducerFencedException("there is a newer producer with the same transactional id");
            }
        };
    }

    /** A worker over one record at orders-0@0 that a broker would deliver again after a seek back to it. */
    private SubscriberWorker<String, String> worker(RecordingConsumer source, String transactionTimeoutMs,
            long handlerMillis, java.util.function.Supplier<org.apache.kafka.clients.producer.Producer<byte[], byte[]>> producers) {
        TopicPartition p = new TopicPartition("orders", 0);
        CourierConfig config = CourierConfig.builder("localhost:9092")
                .clientProperty("transaction.timeout.ms", transactionTimeoutMs).build();
        source.assignFromStart(p);
        for (int poll = 0; poll < 200; poll++) {
            source.schedulePollTask(() -> {
                if (source.position(p) == 0) {
                    source.addRecord(record(p, "a"));
                }
            });
        }
        return new SubscriberWorker<>("w", "orders", SubscriberOptions.builder("g")
                .guarantee(DeliveryGuarantee.EXACTLY_ONCE).build(), config,
                new RecordHandler<>(ORDERS, Handlers.all((m, ctx) -> Thread.sleep(handlerMillis)), config), source,
                producers, "orders.dlt");
    }

    @Test
    void aTransactionAbortedForItsAgeIsConsumedAgainThroughANewProducer() {
        RecordingConsumer source = new RecordingConsumer();
        MockProducer<byte[], byte[]> fenced = fencedAtCommit();
        MockProducer<byte[], byte[]> fresh = new MockProducer<>(true, null, new ByteArraySerializer(),
                new ByteArraySerializer());
        java.util.Iterator<MockProducer<byte[], byte[]>> producers = List.of(fenced, fresh).iterator();
        SubscriberWorker<String, String> worker = worker(source, "10", 30, producers::next);
        Thread t = new Thread(worker);
        t.start();
        try {
            await().atMost(Duration.ofSeconds(20)).until(fresh::transactionCommitted);
            assertThat(fresh.consumerGroupOffsetsHistory()).as("the batch was consumed again from its first record")
                    .singleElement().satisfies(byGroup -> assertThat(byGroup.values()).containsExactly(Map.of(
                            new TopicPartition("orders", 0), new org.apache.kafka.clients.consumer.OffsetAndMetadata(1))));
            assertThat(fenced.closed()).as("the fenced producer").isTrue();
            assertThat(t.isAlive()).isTrue();
        } finally {
            worker.stop();
            worker.wakeup();
            await().atMost(Duration.ofSeconds(10)).until(() -> !t.isAlive());
        }
    }

    @Test
    void aProducerFencedBeforeItsTransactionCouldTimeOutIsAZombieAndItsThreadStops() {
        RecordingConsumer source = new RecordingConsumer();
        AtomicInteger producers = new AtomicInteger();
        SubscriberWorker<String, String> worker = worker(source, "60000", 0, () -> {
            producers.incrementAndGet();
            return fencedAtCommit(); // another instance with the same id took over
        });
        Thread t = new Thread(worker);
        t.start();

        await().atMost(Duration.ofSeconds(20)).until(() -> !t.isAlive());
        assertThat(producers).as("no new producer to fence the other instance back").hasValue(1);
        assertThat(worker.failure()).isInstanceOf(ProducerFencedException.class);
        assertThat(source.commits).isEmpty();
    }

    @Test
    void aThreadWhoseTransactionsKeepTimingOutStopsNamingTheTimeout() {
        RecordingConsumer source = new RecordingConsumer();
        AtomicInteger producers = new AtomicInteger();
        SubscriberWorker<String, String> worker = worker(source, "10", 30, () -> {
            producers.incrementAndGet();
            return fencedAtCommit();
        });
        Thread t = new Thread(worker);
        t.start();

        await().atMost(Duration.ofSeconds(20)).until(() -> !t.isAlive());
        assertThat(producers).as("the first and three renewals").hasValue(4);
        assertThat(worker.failure()).isInstanceOf(CourierException.class)
                .hasMessage("w: 4 transactions in a row outlived transaction.timeout.ms=10 and were aborted by the "
                        + "broker; raise it, or give handlers less work per poll with maxPollRecords")
                .hasCauseInstanceOf(ProducerFencedException.class);
        assertThat(source.commits).isEmpty();
    }

    @Test
    void aFailedLastAttemptCommitsItsDeadLetterButNothingItPublishedBeforeFailing() {
        AtomicInteger runs = new AtomicInteger();

        List<String> first = firstCommitOfOneRecord(RetryPolicy.noRetries(), (m, ctx) -> {
            runs.incrementAndGet();
            ctx.publish(OUT, m.key(), "partial");
            throw new IllegalStateException("database down");
        });

        assertThat(first).as("the failed attempt's output is aborted with it; only the dead letter is committed")
                .containsExactly("orders.dlt:a");
        assertThat(runs).as("the handler's side effects happen once").hasValue(1);
    }

    @Test
    void aKafkaExceptionAHandlerThrowsItselfIsItsFailureAndKeepsToWithNonRetriable() {
        AtomicInteger runs = new AtomicInteger();

        List<String> first = firstCommitOfOneRecord(RetryPolicy.exponential(3, Duration.ofMillis(10))
                .withNonRetriable(List.of(org.apache.kafka.common.errors.SerializationException.class)), (m, ctx) -> {
                    runs.incrementAndGet();
                    // From the handler's own Kafka client (a schema registry's deserializer, say), not Courier's.
                    throw new org.apache.kafka.common.errors.SerializationException("unknown schema id 7");
                });

        assertThat(first).containsExactly("orders.dlt:a");
        assertThat(new String(committed.get(0).headers().lastHeader(io.courier.core.DeadLetter.Headers.ATTEMPTS)
                .value(), StandardCharsets.UTF_8)).as("non-retriable: dead-lettered at once").isEqualTo("1");
        assertThat(runs).hasValue(1);
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "wrapped in an Error: {0}")
    @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
    void aRefusalTheNextHandlerWrapsInItsOwnExceptionIsChargedToTheRecordWhoseOutputWasRefused(boolean inAnError) {
        refuseLaterSendsAtOnce = true;
        TopicPartition p = new TopicPartition("orders", 0);
        CourierConfig config = CourierConfig.builder("localhost:9092").build();
        java.util.Map<String, AtomicInteger> runs = new java.util.concurrent.ConcurrentHashMap<>();
        SubscriberWorker<String, String> worker = new SubscriberWorker<>("w", "orders",
                SubscriberOptions.builder("g").guarantee(DeliveryGuarantee.EXACTLY_ONCE)
                        .retry(RetryPolicy.exponential(2, Duration.ofMillis(10))).build(), config,
                new RecordHandler<>(ORDERS, Handlers.all((m, ctx) -> {
                    runs.computeIfAbsent(m.key(), k -> new AtomicInteger()).incrementAndGet();
                    try {
                        ctx.publish(OUT, m.key(), m.key().equals("a") ? "big" : "small");
                    } catch (KafkaException e) { // a handler's own words
                        if (inAnError) {
                            throw new AssertionError("could not pass " + m.key() + " on", e);
                        }
                        throw new IllegalStateException("could not pass " + m.key() + " on", e);
                    }
                }), config),
                consumer, () -> producer, "orders.dlt");
        consumer.assignFromStart(p, record(p, 0, "a"), record(p, 1, "b"));
        Thread t = new Thread(worker);
        t.start();
        try {
            await().atMost(Duration.ofSeconds(20)).until(() -> committed.size() >= 2);
            assertThat(committed).extracting(r -> r.topic() + ":" + new String(r.key(), StandardCharsets.UTF_8))
                    .as("a, whose output was refused, is dead-lettered; b, whose send failed only after it, is not")
                    .containsExactly("orders.dlt:a", "out:b");
        } finally {
            worker.stop();
            worker.wakeup();
            await().atMost(Duration.ofSeconds(10)).until(() -> !t.isAlive());
        }
    }

    /** Runs an exactly-once worker over one record, "a", until a transaction commits; @return its topic:key list */
    @Test
    void anAbortedBatchCountsItsHandlingsAndDeadLettersOnlyWhenItsRetryCommits() {
        abortFailsQueuedSends = true; // a's dead letter fails with the abort: not a refusal, so no failed publish
        TopicPartition p = new TopicPartition("orders", 0);
        List<String> measured = new CopyOnWriteArrayList<>();
        AtomicInteger runsOfB = new AtomicInteger();
        CourierConfig config = CourierConfig.builder("localhost:9092")
                .metrics(AtLeastOnceBatchTest.recording(measured)).build();
        SubscriberWorker<String, String> worker = new SubscriberWorker<>("w", "orders",
                SubscriberOptions.builder("g").guarantee(DeliveryGuarantee.EXACTLY_ONCE)
                        .retry(RetryPolicy.exponential(3, Duration.ofMillis(10))
                                .withNonRetriable(List.of(IllegalArgumentException.class))).build(), config,
                new RecordHandler<>(ORDERS, Handlers.all((m, ctx) -> {
                    if (m.key().equals("a")) {
                        throw new IllegalArgumentException("never valid"); // dead-lettered in the first round
                    }
                    ctx.publish(OUT, m.key(), "small");
                    if (m.key().equals("b") && runsOfB.incrementAndGet() == 1) {
                        throw new IllegalStateException("database busy"); // aborts the first round's transaction
                    }
                }), config),
                consumer, () -> producer, "orders.dlt");
        consumer.assignFromStart(List.of(p), record(p, 0, "a"), record(p, 1, "b"), record(p, 2, "c"));
        Thread t = new Thread(worker);
        t.start();
        try {
            await().atMost(Duration.ofSeconds(20)).until(() -> committed.size() == 3);
            assertThat(measured).as("a's dead letter was sent in both rounds and b's output once before the abort; "
                    + "each counts once, for the round that committed").containsExactly(
                    "handlerFailed orders/g 1", "handlerFailed orders/g 1",
                    "deadLettered orders/g", "handled orders/g", "handled orders/g");
        } finally {
            worker.stop();
            worker.wakeup();
            await().atMost(Duration.ofSeconds(10)).until(() -> !t.isAlive());
        }
    }

    @Test
    void aDeadLetterTheBrokerRefusesCountsAsAFailedPublishToTheDeadLetterTopicOncePerRound() {
        TopicPartition p = new TopicPartition("orders", 0);
        List<String> measured = new CopyOnWriteArrayList<>();
        CourierConfig config = CourierConfig.builder("localhost:9092")
                .metrics(AtLeastOnceBatchTest.recording(measured)).build();
        SubscriberWorker<String, String> worker = new SubscriberWorker<>("w", "orders",
                SubscriberOptions.builder("g").guarantee(DeliveryGuarantee.EXACTLY_ONCE)
                        .retry(RetryPolicy.noRetries()).build(), config,
                new RecordHandler<>(ORDERS, Handlers.all((m, ctx) -> {
                    throw new IllegalStateException("never valid"); // its dead letter, with value "big", is refused
                }), config),
                consumer, () -> producer, "orders.dlt");
        consumer.assignFromStart(List.of(p), new ConsumerRecord<>("orders", 0, 0, "k".getBytes(StandardCharsets.UTF_8),
                "big".getBytes(StandardCharsets.UTF_8)));
        Thread t = new Thread(worker);
        t.start();
        try {
            await().atMost(Duration.ofSeconds(20)).until(() -> measured.size() >= 3);
            assertThat(measured.subList(0, 3)).as("the handler failed once; then each round's refused dead letter")
                    .containsExactly("handlerFailed orders/g 1",
                            "publishFailed orders.dlt RecordTooLargeException",
                            "publishFailed orders.dlt RecordTooLargeException");
            assertThat(committed).isEmpty();
        } finally {
            worker.stop();
            worker.wakeup();
            await().atMost(Duration.ofSeconds(10)).until(() -> !t.isAlive());
        }
    }

    private List<String> firstCommitOfOneRecord(RetryPolicy retry, io.courier.core.MessageHandler<String, String> h) {
        TopicPartition p = new TopicPartition("orders", 0);
        CourierConfig config = CourierConfig.builder("localhost:9092").build();
        SubscriberWorker<String, String> worker = new SubscriberWorker<>("w", "orders",
                SubscriberOptions.builder("g").guarantee(DeliveryGuarantee.EXACTLY_ONCE).retry(retry).build(), config,
                new RecordHandler<>(ORDERS, Handlers.all(h), config), consumer, () -> producer, "orders.dlt");
        consumer.assignFromStart(p, record(p, "a"));
        Thread t = new Thread(worker);
        t.start();
        try {
            await().atMost(Duration.ofSeconds(20)).until(() -> !committed.isEmpty());
            return committed.stream().map(r -> r.topic() + ":" + new String(r.key(), StandardCharsets.UTF_8)).toList();
        } finally {
            worker.stop();
            worker.wakeup();
            await().atMost(Duration.ofSeconds(10)).until(() -> !t.isAlive());
        }
    }

    private static ConsumerRecord<byte[], byte[]> record(TopicPartition tp, String key) {
        return record(tp, 0, key);
    }

    private static ConsumerRecord<byte[], byte[]> record(TopicPartition tp, long offset, String key) {
        return new ConsumerRecord<>(tp.topic(), tp.partition(), offset, key.getBytes(StandardCharsets.UTF_8),
                key.getBytes(StandardCharsets.UTF_8));
    }
}
