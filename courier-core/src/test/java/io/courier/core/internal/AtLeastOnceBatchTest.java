package io.courier.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.courier.core.CourierConfig;
import io.courier.core.DeadLetter;
import io.courier.core.Handlers;
import io.courier.core.RetryPolicy;
import io.courier.core.Serdes;
import io.courier.core.SubscriberOptions;
import io.courier.core.Topic;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Which record a refused output belongs to, with the poll order fixed (a broker does not let a test choose it). The
 * refusals themselves against a broker are in RefusedOutputIT.
 */
class AtLeastOnceBatchTest {
    private static final Topic<String, String> ORDERS = Topic.of("orders", Serdes.string(), Serdes.string());
    private static final Topic<String, String> OUT = Topic.of("out", Serdes.string(), Serdes.string());

    private final RecordingConsumer consumer = new RecordingConsumer();
    private final Map<TopicPartition, OffsetAndMetadata> commits = consumer.commits;
    private final AtomicInteger refusedDeadLetters = new AtomicInteger();
    /** Refuses every record whose value is "big", as a broker refuses one above max.message.bytes. */
    private final MockProducer<byte[], byte[]> producer =
            new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer()) {
                @Override
                public synchronized Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> r, Callback callback) {
                    if ("big".equals(new String(r.value(), StandardCharsets.UTF_8))) {
                        if (r.topic().endsWith(".dlt")) {
                            refusedDeadLetters.incrementAndGet();
                        }
                        RecordTooLargeException e = new RecordTooLargeException("too large for topic " + r.topic());
                        callback.onCompletion(null, e);
                        return CompletableFuture.failedFuture(e);
                    }
                    return super.send(r, callback);
                }
            };

    @ParameterizedTest
    @ValueSource(ints = {0, 1})
    void theOutputOfAFailedAttemptIsNotChargedToTheNextRecord(int failingPartition) {
        TopicPartition failing = new TopicPartition("orders", failingPartition);
        TopicPartition other = new TopicPartition("orders", 1 - failingPartition);
        Map<String, Integer> runs = new ConcurrentHashMap<>();
        SubscriberWorker<String, String> worker = new SubscriberWorker<>("w", "orders",
                SubscriberOptions.builder("g").retry(RetryPolicy.exponential(3, Duration.ofMillis(10))).build(),
                CourierConfig.builder("localhost:9092").build(),
                new RecordHandler<>(ORDERS, Handlers.all((m, ctx) -> {
                    runs.merge(m.key(), 1, Integer::sum);
                    if (m.key().equals("a")) { // publishes output the broker refuses, then fails: it will be retried
                        ctx.publish(OUT, "a", "big");
                        throw new IllegalStateException("database busy");
                    }
                    ctx.publish(OUT, m.key(), "small");
                }), CourierConfig.builder("localhost:9092").build()),
                consumer, () -> producer, "orders.dlt");
        consumer.assignFromStart(List.of(failing, other), record(failing, 0, "a"), record(other, 0, "b"));
        Thread t = new Thread(worker);
        t.start();
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> runs.containsKey("a") && runs.containsKey("b")
                    && commits.containsKey(other));
            assertThat(commits.get(other)).as("b and its output are fine, whichever came first in the poll")
                    .isEqualTo(new OffsetAndMetadata(1));
            assertThat(commits).doesNotContainKey(failing); // a waits for its retry
        } finally {
            worker.stop();
            worker.wakeup();
            await().atMost(Duration.ofSeconds(10)).until(() -> !t.isAlive());
        }
    }

    @Test
    void aRecordThatFailedForGoodIsNotHandledAgainWhenItsDeadLetterIsRefused() {
        TopicPartition p = new TopicPartition("orders", 0);
        Map<String, Integer> runs = new ConcurrentHashMap<>();
        SubscriberWorker<String, String> worker = new SubscriberWorker<>("w", "orders",
                SubscriberOptions.builder("g").retry(RetryPolicy.exponential(3, Duration.ofMillis(10))
                        .withNonRetriable(List.of(IllegalArgumentException.class))).build(),
                CourierConfig.builder("localhost:9092").build(),
                new RecordHandler<>(ORDERS, Handlers.all((m, ctx) -> {
                    runs.merge(m.key(), 1, Integer::sum);
                    throw new IllegalArgumentException("never valid"); // its dead letter, with value "big", is refused
                }), CourierConfig.builder("localhost:9092").build()),
                consumer, () -> producer, "orders.dlt");
        ConsumerRecord<byte[], byte[]> failing = new ConsumerRecord<>("orders", 0, 0, "k".getBytes(StandardCharsets.UTF_8),
                "big".getBytes(StandardCharsets.UTF_8));
        offerAgainAfterRewinds(p, failing, null);
        Thread t = new Thread(worker);
        t.start();
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> refusedDeadLetters.get() >= 3);
            assertThat(runs).as("the handler's side effects happen once; later rounds only resend the dead letter")
                    .containsExactly(Map.entry("k", 1));
            assertThat(commits).doesNotContainKey(p);
        } finally {
            worker.stop();
            worker.wakeup();
            await().atMost(Duration.ofSeconds(10)).until(() -> !t.isAlive());
        }
    }

    private SubscriberWorker<String, String> worker(RetryPolicy retry, io.courier.core.MessageHandler<String, String> h,
            MockProducer<byte[], byte[]> out) {
        return worker(ORDERS, retry, h, out);
    }

    /** @return a worker with that guarantee that tries each message once */
    private SubscriberWorker<String, String> worker(io.courier.core.DeliveryGuarantee guarantee,
            io.courier.core.MessageHandler<String, String> h) {
        return worker(ORDERS, SubscriberOptions.builder("g").guarantee(guarantee).retry(RetryPolicy.noRetries())
                .build(), h, producer);
    }

    private SubscriberWorker<String, String> worker(Topic<String, String> topic, RetryPolicy retry,
            io.courier.core.MessageHandler<String, String> h, MockProducer<byte[], byte[]> out) {
        return worker(topic, SubscriberOptions.builder("g").retry(retry).build(), h, out);
    }

    private SubscriberWorker<String, String> worker(Topic<String, String> topic, SubscriberOptions options,
            io.courier.core.MessageHandler<String, String> h, MockProducer<byte[], byte[]> out) {
        return worker(topic, options, h, out, CourierConfig.builder("localhost:9092").build());
    }

    private SubscriberWorker<String, String> worker(Topic<String, String> topic, SubscriberOptions options,
            io.courier.core.MessageHandler<String, String> h, MockProducer<byte[], byte[]> out, CourierConfig config) {
        return new SubscriberWorker<>("w", "orders", options, config, new RecordHandler<>(topic, Handlers.all(h),
                config), consumer, () -> out, "orders.dlt");
    }

    /** Does to a worker what close(timeout) does once its time is up, and waits for its thread to end. */
    private static void closeTimedOut(SubscriberWorker<?, ?> worker, Thread t) throws InterruptedException {
        worker.stop();
        worker.interruptForClose(t);
        t.join(20_000);
        assertThat(t.isAlive()).isFalse();
    }

    /** Offers a, b and c on {@code p}, and does what close(timeout) does once the handler is busy with a. */
    private void closeTimedOutWhileHandlingTheFirstOf(TopicPartition p, SubscriberWorker<?, ?> worker,
            java.util.concurrent.CountDownLatch handlingA) throws InterruptedException {
        consumer.assignFromStart(p, record(p, 0, "a"), record(p, 1, "b"), record(p, 2, "c"));
        Thread t = new Thread(worker);
        t.start();
        assertThat(handlingA.await(20, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        closeTimedOut(worker, t);
    }

    /** Offers the record at offset 0, and the next one, again whenever the position is back there. */
    private void offerAgainAfterRewinds(TopicPartition p, ConsumerRecord<byte[], byte[]> first,
            ConsumerRecord<byte[], byte[]> second) {
        consumer.assignFromStart(p);
        for (int poll = 0; poll < 200; poll++) { // a MockConsumer does not redeliver after a seek back: a broker would
            consumer.schedulePollTask(() -> {
                if (consumer.position(p) == 0) {
                    consumer.addRecord(first);
                    if (second != null) {
                        consumer.addRecord(second);
                    }
                }
            });
        }
    }

    /** Runs the worker until partition p is committed up to {@code next}, and returns the dead letter it wrote. */
    private ProducerRecord<byte[], byte[]> deadLetterOnceCommitted(SubscriberWorker<String, String> worker,
            MockProducer<byte[], byte[]> out, TopicPartition p, long next) {
        Thread t = new Thread(worker);
        t.start();
        try {
            await().atMost(Duration.ofSeconds(20)).until(() -> new OffsetAndMetadata(next).equals(commits.get(p)));
            assertThat(t.isAlive()).as("still consuming").isTrue();
            assertThat(worker.failure()).isNull();
            return out.history().stream().filter(r -> r.topic().equals("orders.dlt")).findFirst().orElseThrow();
        } finally {
            stop(worker, t);
        }
    }

    private static String header(ProducerRecord<byte[], byte[]> r, String name) {
        return new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }

    private static void stop(SubscriberWorker<?, ?> worker, Thread t) {
        worker.stop();
        worker.wakeup();
        await().atMost(Duration.ofSeconds(10)).until(() -> !t.isAlive());
    }

    /** A user's own Error, as a library may define one. */
    static final class UsersOwnError extends Error {
        private static final long serialVersionUID = 1L;

        UsersOwnError(String message) {
            super(message);
        }
    }

    static java.util.stream.Stream<Error> errorsOfHandlerCode() {
        return java.util.stream.Stream.of(new AssertionError("a bug in the handler"),
                new StackOverflowError("a recursion too deep for one payload"),
                new NoClassDefFoundError("com/example/Missing"),
                new java.util.ServiceConfigurationError("no provider for com.example.Codec"),
                new UsersOwnError("a library's own error"));
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.MethodSource("errorsOfHandlerCode")
    void anErrorFromAHandlerSendsItsMessageToTheDeadLetterTopicAndTheThreadCarriesOn(Error error) {
        TopicPartition p = new TopicPartition("orders", 0);
        SubscriberWorker<String, String> worker = worker(RetryPolicy.exponential(3, Duration.ofMillis(10)), (m, ctx) -> {
            if (m.key().equals("x")) {
                throw error;
            }
            ctx.publish(OUT, m.key(), "handled");
        }, producer);
        offerAgainAfterRewinds(p, record(p, 0, "x"), record(p, 1, "y"));

        ProducerRecord<byte[], byte[]> dead = deadLetterOnceCommitted(worker, producer, p, 2);

        assertThat(header(dead, DeadLetter.Headers.EXCEPTION_CLASS)).isEqualTo(error.getClass().getName());
        assertThat(header(dead, DeadLetter.Headers.ATTEMPTS)).isEqualTo("3");
        assertThat(producer.history()).extracting(ProducerRecord::topic).as("y, after x, was handled").contains("out");
    }

    @Test
    void metricsThatThrowNeitherFailAHandledMessageNorStopADeadLetter() {
        io.courier.core.CourierMetrics broken = new io.courier.core.CourierMetrics() {
            @Override
            public void handled(String topic, String group, long nanos) {
                throw new IllegalArgumentException("a registry's tag clash");
            }

            @Override
            public void handlerFailed(String topic, String group, int attempt) {
                throw new IllegalArgumentException("a registry's tag clash");
            }

            @Override
            public void deadLettered(String topic, String group) {
                throw new IllegalArgumentException("a registry's tag clash");
            }
        };
        TopicPartition p = new TopicPartition("orders", 0);
        AtomicInteger handledY = new AtomicInteger();
        SubscriberWorker<String, String> worker = worker(ORDERS, SubscriberOptions.builder("g")
                .retry(RetryPolicy.exponential(2, Duration.ofMillis(10))).build(), (m, ctx) -> {
                    if (m.key().equals("x")) {
                        throw new IllegalStateException("cannot handle x");
                    }
                    handledY.incrementAndGet();
                }, producer, CourierConfig.builder("localhost:9092").metrics(broken).build());
        offerAgainAfterRewinds(p, record(p, 0, "x"), record(p, 1, "y"));

        ProducerRecord<byte[], byte[]> dead = deadLetterOnceCommitted(worker, producer, p, 2);

        assertThat(header(dead, DeadLetter.Headers.EXCEPTION_CLASS)).isEqualTo(IllegalStateException.class.getName());
        assertThat(header(dead, DeadLetter.Headers.ATTEMPTS)).as("the metrics' failures are not attempts").isEqualTo("2");
        assertThat(handledY).as("y handled once, though recording it failed").hasValue(1);
    }

    @Test
    void theJvmsOwnErrorsStillStopTheThreadWithoutCommittingOrDeadLetteringTheMessage() throws Exception {
        TopicPartition p = new TopicPartition("orders", 0);
        OutOfMemoryError gone = new OutOfMemoryError("the heap is gone (a test's)");
        SubscriberWorker<String, String> worker = worker(RetryPolicy.exponential(3, Duration.ofMillis(10)),
                (m, ctx) -> {
                    throw gone;
                }, producer);
        offerAgainAfterRewinds(p, record(p, 0, "x"), null);
        AtomicReference<Throwable> ended = new AtomicReference<>();
        Thread t = new Thread(worker);
        t.setUncaughtExceptionHandler((thread, e) -> ended.set(e));
        t.start();
        t.join(20_000);

        assertThat(t.isAlive()).as("stopped").isFalse();
        assertThat(ended.get()).as("the error reaches the thread's end, as the JVM handles it").isSameAs(gone);
        assertThat(worker.failure()).isSameAs(gone);
        assertThat(commits).as("the message is left to the next owner").doesNotContainKey(p);
        assertThat(producer.history()).extracting(ProducerRecord::topic).doesNotContain("orders.dlt");
    }

    @Test
    void anInterruptedExceptionFromAHandlerWithoutCloseIsAFailedAttemptNotTheEndOfTheThread() {
        TopicPartition p = new TopicPartition("orders", 0);
        AtomicInteger runs = new AtomicInteger();
        SubscriberWorker<String, String> worker = worker(RetryPolicy.exponential(3, Duration.ofMillis(10)), (m, ctx) -> {
            if (runs.incrementAndGet() == 1) {
                throw new InterruptedException("a task the handler waited for was cancelled");
            }
        }, producer);
        offerAgainAfterRewinds(p, record(p, 0, "a"), null);
        Thread t = new Thread(worker);
        t.start();
        try {
            await().atMost(Duration.ofSeconds(20)).until(() -> new OffsetAndMetadata(1).equals(commits.get(p)));
            assertThat(runs).hasValue(2);
            assertThat(t.isAlive()).as("still consuming").isTrue();
            assertThat(worker.failure()).isNull();
        } finally {
            stop(worker, t);
        }
    }

    @Test
    void anInterruptTheHandlerLeftSetDoesNotEndTheThread() {
        TopicPartition p = new TopicPartition("orders", 0);
        AtomicInteger runs = new AtomicInteger();
        SubscriberWorker<String, String> worker = worker(RetryPolicy.exponential(3, Duration.ofMillis(10)), (m, ctx) -> {
            if (runs.incrementAndGet() == 1) {
                Thread.currentThread().interrupt(); // restored, as a well-behaved library does, then failed
                throw new IllegalStateException("the call was interrupted");
            }
        }, producer);
        offerAgainAfterRewinds(p, record(p, 0, "a"), record(p, 1, "b"));
        Thread t = new Thread(worker);
        t.start();
        try {
            await().atMost(Duration.ofSeconds(20)).until(() -> new OffsetAndMetadata(2).equals(commits.get(p)));
            assertThat(t.isAlive()).as("still consuming").isTrue();
            assertThat(worker.failure()).isNull();
        } finally {
            stop(worker, t);
        }
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.MethodSource("errorsOfHandlerCode")
    void anErrorFromASerdeSendsItsMessageToTheDeadLetterTopicAndTheThreadCarriesOn(Error error) {
        TopicPartition p = new TopicPartition("orders", 0);
        TextSerde broken = new TextSerde() {
            @Override
            public String deserialize(byte[] data, String messageType) {
                String value = super.deserialize(data, messageType);
                if (value.equals("x")) {
                    throw error;
                }
                return value;
            }
        };
        Topic<String, String> orders = Topic.of("orders", Serdes.string(), broken);
        SubscriberWorker<String, String> worker = worker(orders, RetryPolicy.exponential(3, Duration.ofMillis(10)),
                (m, ctx) -> ctx.publish(OUT, m.key(), "handled"), producer);
        offerAgainAfterRewinds(p, record(p, 0, "x"), record(p, 1, "y"));

        ProducerRecord<byte[], byte[]> dead = deadLetterOnceCommitted(worker, producer, p, 2);

        assertThat(header(dead, DeadLetter.Headers.EXCEPTION_MESSAGE))
                .isEqualTo("cannot deserialize the value of orders-0@0 as String: " + error.getMessage());
    }

    @Test
    void aHandlerInterruptedByCloseIsNotDeadLetteredWhateverItThrows() throws Exception {
        TopicPartition p = new TopicPartition("orders", 0);
        java.util.concurrent.CountDownLatch handling = new java.util.concurrent.CountDownLatch(1);
        SubscriberWorker<String, String> worker = worker(RetryPolicy.noRetries(), (m, ctx) -> {
            handling.countDown();
            try {
                Thread.sleep(30_000);
            } catch (InterruptedException e) {
                throw new RuntimeException("wrapped, the flag not restored", e); // as many libraries do
            }
        }, producer);
        offerAgainAfterRewinds(p, record(p, 0, "a"), null);
        Thread t = new Thread(worker);
        t.start();
        assertThat(handling.await(20, java.util.concurrent.TimeUnit.SECONDS)).isTrue();

        closeTimedOut(worker, t);

        assertThat(producer.history()).as("no dead letter: the message comes again to whoever owns it next").isEmpty();
        assertThat(commits).doesNotContainKey(p);
        assertThat(worker.failure()).isNull();
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(value = io.courier.core.DeliveryGuarantee.class,
            names = {"AT_LEAST_ONCE", "AT_MOST_ONCE"})
    void aSerdeInterruptedByCloseIsNotDeadLettered(io.courier.core.DeliveryGuarantee guarantee) throws Exception {
        TopicPartition p = new TopicPartition("orders", 0);
        java.util.concurrent.CountDownLatch reading = new java.util.concurrent.CountDownLatch(1);
        TextSerde blocking = new TextSerde() {
            @Override
            public String deserialize(byte[] data, String messageType) {
                reading.countDown();
                try {
                    Thread.sleep(30_000); // a schema registry that does not answer, say
                } catch (InterruptedException e) {
                    throw new IllegalStateException("lookup interrupted", e);
                }
                return super.deserialize(data, messageType);
            }
        };
        SubscriberWorker<String, String> worker = worker(Topic.of("orders", Serdes.string(), blocking),
                SubscriberOptions.builder("g").guarantee(guarantee).retry(RetryPolicy.noRetries()).build(),
                (m, ctx) -> { }, producer);
        offerAgainAfterRewinds(p, record(p, 0, "a"), null);
        Thread t = new Thread(worker);
        t.start();
        assertThat(reading.await(20, java.util.concurrent.TimeUnit.SECONDS)).isTrue();

        closeTimedOut(worker, t);

        assertThat(producer.history()).as("no dead letter: the close is not the record's fault").isEmpty();
        if (guarantee == io.courier.core.DeliveryGuarantee.AT_LEAST_ONCE) {
            assertThat(commits).as("it comes again").doesNotContainKey(p);
        } else {
            assertThat(commits).as("committed before it was read, and lost").containsEntry(p, new OffsetAndMetadata(1));
        }
    }

    @Test
    void anAtMostOnceSubscriberClosedPastItsTimeoutStillHandlesTheRecordsItCommitted() throws Exception {
        TopicPartition p = new TopicPartition("orders", 0);
        java.util.concurrent.CountDownLatch first = new java.util.concurrent.CountDownLatch(1);
        java.util.Set<String> handled = ConcurrentHashMap.newKeySet();
        SubscriberWorker<String, String> worker = worker(io.courier.core.DeliveryGuarantee.AT_MOST_ONCE,
                (m, ctx) -> {
                    if (m.key().equals("a")) {
                        first.countDown();
                        long until = System.nanoTime() + 300_000_000L;
                        while (System.nanoTime() < until) {
                            Thread.onSpinWait(); // work that does not look at interrupts
                        }
                    }
                    handled.add(m.key());
                });
        closeTimedOutWhileHandlingTheFirstOf(p, worker, first);

        assertThat(commits).as("committed before handling").containsEntry(p, new OffsetAndMetadata(3));
        assertThat(handled).as("skipping b and c now would lose them").containsExactlyInAnyOrder("a", "b", "c");
    }

    @Test
    void anAtLeastOnceSubscriberClosedPastItsTimeoutLeavesTheRestOfThePollUnhandledAndUncommitted() throws Exception {
        TopicPartition p = new TopicPartition("orders", 0);
        java.util.concurrent.CountDownLatch first = new java.util.concurrent.CountDownLatch(1);
        java.util.Set<String> handled = ConcurrentHashMap.newKeySet();
        SubscriberWorker<String, String> worker = worker(io.courier.core.DeliveryGuarantee.AT_LEAST_ONCE,
                (m, ctx) -> {
                    if (m.key().equals("a")) {
                        first.countDown();
                        try {
                            Thread.sleep(60_000);
                        } catch (InterruptedException e) { // the close's interrupt, swallowed and reworded
                            throw new IllegalStateException("aborted");
                        }
                    }
                    handled.add(m.key());
                });
        closeTimedOutWhileHandlingTheFirstOf(p, worker, first);

        assertThat(handled).as("b and c wait for the partition's next owner").isEmpty();
        assertThat(commits).as("nothing of the poll is committed").doesNotContainKey(p);
        assertThat(producer.history()).as("nothing dead-lettered").isEmpty();
    }

    @Test
    void anInterruptedExceptionWhileClosingLeavesTheRecordUncommittedInsteadOfDeadLetteringIt() throws Exception {
        TopicPartition p = new TopicPartition("orders", 0);
        java.util.concurrent.CountDownLatch handling = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch closing = new java.util.concurrent.CountDownLatch(1);
        SubscriberWorker<String, String> worker = worker(io.courier.core.DeliveryGuarantee.AT_LEAST_ONCE,
                (m, ctx) -> {
                    handling.countDown();
                    closing.await();
                    // A handler that stops for the close before its timeout, as a responder does: not a failure.
                    throw new InterruptedException("stopping for the close");
                });
        consumer.assignFromStart(p, record(p, 0, "a"), record(p, 1, "b"));
        Thread t = new Thread(worker);
        t.start();
        assertThat(handling.await(20, java.util.concurrent.TimeUnit.SECONDS)).isTrue();

        worker.stop(); // close() has begun: no interrupt yet
        closing.countDown();
        t.join(20_000);

        assertThat(t.isAlive()).isFalse();
        assertThat(commits).as("a and b go to the partition's next owner").doesNotContainKey(p);
        assertThat(producer.history()).as("nothing dead-lettered").isEmpty();
        assertThat(worker.failure()).isNull();
    }

    @Test
    void anAtMostOnceRecordInterruptedByCloseIsNeitherRetriedNorDeadLetteredAndTheRestOfItsPartitionIsHandled()
            throws Exception {
        TopicPartition p = new TopicPartition("orders", 0);
        java.util.concurrent.CountDownLatch first = new java.util.concurrent.CountDownLatch(1);
        java.util.Set<String> handled = ConcurrentHashMap.newKeySet();
        SubscriberWorker<String, String> worker = worker(ORDERS, SubscriberOptions.builder("g")
                .guarantee(io.courier.core.DeliveryGuarantee.AT_MOST_ONCE).retry(RetryPolicy.exponential(3,
                        Duration.ofMillis(10)).withNonRetriable(List.of(java.net.SocketTimeoutException.class))).build(),
                (m, ctx) -> {
                    if (m.key().equals("a")) {
                        first.countDown();
                        try {
                            Thread.sleep(60_000);
                        } catch (InterruptedException e) { // the close's interrupt, swallowed and reworded
                            throw new IllegalStateException("aborted");
                        }
                    }
                    if (m.key().equals("b")) { // its own failure, after the close; an InterruptedIOException
                        throw new java.net.SocketTimeoutException("read timed out");
                    }
                    handled.add(m.key());
                }, producer);
        closeTimedOutWhileHandlingTheFirstOf(p, worker, first);

        assertThat(handled).as("a retry of a would have left b and c behind it, committed").containsExactly("c");
        assertThat(producer.history()).as("a's interrupt is not its fault; b's failure is b's")
                .extracting(r -> r.topic() + ":" + new String(r.key(), StandardCharsets.UTF_8))
                .containsExactly("orders.dlt:b");
        assertThat(commits).as("a is not handed to anyone again").containsEntry(p, new OffsetAndMetadata(3));
    }

    @Test
    void anAtMostOnceRetryMovesTheCommitBackSoThatTheRecordsBehindItAreNotLostIfTheConsumerStopsFirst() {
        TopicPartition p = new TopicPartition("orders", 0);
        java.util.Set<String> handled = ConcurrentHashMap.newKeySet();
        AtomicInteger attemptsOfA = new AtomicInteger();
        SubscriberWorker<String, String> worker = worker(ORDERS, SubscriberOptions.builder("g")
                .guarantee(io.courier.core.DeliveryGuarantee.AT_MOST_ONCE)
                .retry(RetryPolicy.exponential(3, Duration.ofMinutes(1))).build(), (m, ctx) -> {
                    if (m.key().equals("b")) {
                        attemptsOfA.incrementAndGet();
                        throw new IllegalStateException("database busy");
                    }
                    handled.add(m.key());
                }, producer);
        consumer.assignFromStart(p, record(p, 0, "a"), record(p, 1, "b"), record(p, 2, "c"));
        Thread t = new Thread(worker);
        t.start();
        try {
            // Committed up to c before handling; then back to b, which waits a minute for its retry.
            await().atMost(Duration.ofSeconds(10)).until(() -> new OffsetAndMetadata(1).equals(commits.get(p)));
        } finally {
            stop(worker, t);
        }

        assertThat(handled).containsExactly("a");
        assertThat(attemptsOfA).hasValue(1);
        assertThat(commits).as("b and c go to whoever polls the partition next").containsEntry(p,
                new OffsetAndMetadata(1));
    }

    @Test
    void aRecordWaitingForItsRetryDoesNotHoldUpTheThreadsOtherPartitions() {
        TopicPartition failing = new TopicPartition("orders", 0);
        TopicPartition other = new TopicPartition("orders", 1);
        java.util.Set<String> handled = ConcurrentHashMap.newKeySet();
        SubscriberWorker<String, String> worker = worker(RetryPolicy.exponential(3, Duration.ofMinutes(1)),
                (m, ctx) -> {
                    if (m.key().equals("a")) {
                        throw new IllegalStateException("database busy");
                    }
                    handled.add(m.key());
                }, producer);
        consumer.assignFromStart(List.of(failing, other), record(failing, 0, "a"), record(other, 0, "b"));
        consumer.schedulePollTask(() -> consumer.addRecord(record(other, 1, "c"))); // while a waits its minute
        Thread t = new Thread(worker);
        t.start();
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> new OffsetAndMetadata(2).equals(commits.get(other)));
            assertThat(handled).containsExactlyInAnyOrder("b", "c");
            assertThat(commits).doesNotContainKey(failing);
            assertThat(consumer.paused()).containsExactly(failing);
        } finally {
            stop(worker, t);
        }
    }

    @Test
    void eachRewoundPartitionWaitsItsOwnBackoff() {
        TopicPartition p0 = new TopicPartition("orders", 0);
        TopicPartition p1 = new TopicPartition("orders", 1);
        Map<String, Integer> runs = new ConcurrentHashMap<>();
        // After one failed attempt 200 ms, after two a minute.
        RetryPolicy retry = new RetryPolicy(5, Duration.ofMillis(200), 300, Duration.ofMinutes(1), List.of());
        SubscriberWorker<String, String> worker = worker(retry, (m, ctx) -> {
            runs.merge(m.key(), 1, Integer::sum);
            throw new IllegalStateException("database busy");
        }, producer);
        consumer.assignFromStart(List.of(p0, p1), record(p0, 0, "a"));
        consumer.beforeEachPoll(() -> { // a MockConsumer does not redeliver after a seek back: a broker would
            if (!consumer.assignment().contains(p0)) {
                return;
            }
            boolean aComesAgain = runs.containsKey("a") && !consumer.paused().contains(p0)
                    && consumer.position(p0) == 0;
            if (aComesAgain) {
                consumer.addRecord(record(p0, 0, "a"));
            }
            // b first comes in the same poll as a's second attempt: one batch rewinds both partitions, a's for a
            // minute (its second failure), b's for 200 ms (its first).
            boolean bComes = runs.containsKey("b") ? !consumer.paused().contains(p1) && consumer.position(p1) == 0
                    : aComesAgain && runs.get("a") == 1;
            if (bComes) {
                consumer.addRecord(record(p1, 0, "b"));
            }
        });
        Thread t = new Thread(worker);
        t.start();
        try {
            await("b's second attempt, 200 ms after the batch that rewound both partitions").atMost(Duration.ofSeconds(10))
                    .until(() -> runs.getOrDefault("b", 0) >= 2);
            assertThat(runs.get("a")).as("a waits its minute").isEqualTo(2);
            assertThat(consumer.paused()).contains(p0);
        } finally {
            stop(worker, t);
        }
    }

    @Test
    void anAtMostOnceRecordWhoseDeadLetterIsRefusedIsLoggedAsLostAndItsPartitionGoesOn() throws Exception {
        TopicPartition p = new TopicPartition("orders", 0);
        Map<String, Integer> runs = new ConcurrentHashMap<>();
        SubscriberWorker<String, String> worker = worker(io.courier.core.DeliveryGuarantee.AT_MOST_ONCE,
                (m, ctx) -> {
                    runs.merge(m.key(), 1, Integer::sum);
                    if (m.key().equals("k")) {
                        throw new IllegalArgumentException("never valid"); // its dead letter, with value "big", is refused
                    }
                });
        ConsumerRecord<byte[], byte[]> failing = new ConsumerRecord<>("orders", 0, 0,
                "k".getBytes(StandardCharsets.UTF_8), "big".getBytes(StandardCharsets.UTF_8));
        offerAgainAfterRewinds(p, failing, record(p, 1, "next"));
        Thread t = new Thread(worker);
        String log = CapturedLog.during(() -> {
            try {
                t.start();
                await().atMost(Duration.ofSeconds(10)).until(() -> runs.containsKey("next"));
                Thread.sleep(500); // time to hand k over again, which must not happen
            } finally {
                stop(worker, t);
            }
        });

        assertThat(refusedDeadLetters).hasValue(1);
        assertThat(runs).as("committed before handling, k is not consumed again").containsEntry("k", 1)
                .containsEntry("next", 1);
        assertThat(commits).containsEntry(p, new OffsetAndMetadata(2));
        assertThat(log).contains("ERROR").contains("w: the dead letter of orders-0@0 "
                + "was refused by topic 'orders.dlt', and AT_MOST_ONCE does not consume the record again: it is lost: "
                + "org.apache.kafka.common.errors.RecordTooLargeException: too large for topic orders.dlt");
    }

    @Test
    void aMessageWhoseOutputWasRefusedIsConsumedAgainAfterAtLeast500Milliseconds() {
        TopicPartition p = new TopicPartition("orders", 0);
        List<Long> runs = new java.util.concurrent.CopyOnWriteArrayList<>();
        SubscriberWorker<String, String> worker = worker(RetryPolicy.exponential(3, Duration.ofMillis(10)), (m, ctx) -> {
            runs.add(System.nanoTime());
            ctx.publish(OUT, m.key(), runs.size() == 1 ? "big" : "small"); // refused the first time only
        }, producer);
        offerAgainAfterRewinds(p, record(p, 0, "a"), null);
        Thread t = new Thread(worker);
        t.start();
        try {
            await("a consumed again and committed").atMost(Duration.ofSeconds(20))
                    .until(() -> new OffsetAndMetadata(1).equals(commits.get(p)));
        } finally {
            stop(worker, t);
        }

        assertThat(runs).hasSize(2);
        assertThat(Duration.ofNanos(runs.get(1) - runs.get(0))).as("though the retry policy's backoff is 10 ms")
                .isGreaterThanOrEqualTo(Duration.ofMillis(500));
    }

    @Test
    void aDeadLetterNamesTheLastFailureNotAnEarlierOne() {
        TopicPartition p = new TopicPartition("orders", 0);
        AtomicInteger runs = new AtomicInteger();
        SubscriberWorker<String, String> worker = worker(RetryPolicy.exponential(3, Duration.ofMillis(10)), (m, ctx) -> {
            if (runs.incrementAndGet() == 1) {
                throw new IllegalStateException("database busy");
            }
            ctx.publish(OUT, m.key(), "big"); // then the handler works, but the broker refuses its follow-up
        }, producer);
        offerAgainAfterRewinds(p, record(p, 0, "a"), null);

        ProducerRecord<byte[], byte[]> dead = deadLetterOnceCommitted(worker, producer, p, 1);

        assertThat(header(dead, DeadLetter.Headers.EXCEPTION_CLASS))
                .isEqualTo(io.courier.common.CourierException.class.getName());
        assertThat(header(dead, DeadLetter.Headers.EXCEPTION_MESSAGE))
                .startsWith("cannot publish a follow-up of orders-0@0 to topic 'out'");
        assertThat(header(dead, DeadLetter.Headers.ATTEMPTS)).isEqualTo("3");
    }

    @Test
    void aDeadLetterCountsTheHandlersRunsNotTheRefusalsOfTheDeadLetter() {
        TopicPartition p = new TopicPartition("orders", 0);
        AtomicInteger deadLetterSends = new AtomicInteger();
        MockProducer<byte[], byte[]> refusingTwice = refusingDeadLetters(2, deadLetterSends);
        SubscriberWorker<String, String> worker = worker(RetryPolicy.exponential(3, Duration.ofMillis(10))
                .withNonRetriable(List.of(IllegalArgumentException.class)), (m, ctx) -> {
                    throw new IllegalArgumentException("never valid");
                }, refusingTwice);
        offerAgainAfterRewinds(p, record(p, 0, "a"), null);

        ProducerRecord<byte[], byte[]> dead = deadLetterOnceCommitted(worker, refusingTwice, p, 1);

        assertThat(header(dead, DeadLetter.Headers.ATTEMPTS)).as("the handler ran once").isEqualTo("1");
        assertThat(header(dead, DeadLetter.Headers.EXCEPTION_CLASS)).isEqualTo(IllegalArgumentException.class.getName());
    }

    @Test
    void aDeadLetterIsCountedInTheMetricsOnceTheBrokerAcknowledgedItNotEachTimeItWasSent() {
        TopicPartition p = new TopicPartition("orders", 0);
        AtomicInteger deadLetterSends = new AtomicInteger();
        MockProducer<byte[], byte[]> refusingTwice = refusingDeadLetters(2, deadLetterSends);
        Map<String, Integer> deadLettered = new ConcurrentHashMap<>();
        io.courier.core.CourierMetrics counting = new io.courier.core.CourierMetrics() {
            @Override
            public void deadLettered(String topic, String group) {
                deadLettered.merge(topic + "/" + group, 1, Integer::sum);
            }
        };
        SubscriberWorker<String, String> worker = worker(ORDERS, SubscriberOptions.builder("g")
                .retry(RetryPolicy.exponential(3, Duration.ofMillis(10))
                        .withNonRetriable(List.of(IllegalArgumentException.class))).build(), (m, ctx) -> {
                            throw new IllegalArgumentException("never valid");
                        }, refusingTwice, CourierConfig.builder("localhost:9092").metrics(counting).build());
        offerAgainAfterRewinds(p, record(p, 0, "a"), null);

        deadLetterOnceCommitted(worker, refusingTwice, p, 1);

        assertThat(deadLetterSends).as("sent three times, refused twice").hasValue(3);
        assertThat(deadLettered).as("counted once, when acknowledged").containsExactly(Map.entry("orders/g", 1));
    }

    @Test
    void aMessageWhoseOutputIsRefusedCountsFailedAttemptsNotHandlingsAndThenOneDeadLetter() {
        TopicPartition p = new TopicPartition("orders", 0);
        List<String> measured = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        SubscriberWorker<String, String> worker = worker(ORDERS, SubscriberOptions.builder("g")
                .retry(RetryPolicy.exponential(3, Duration.ofMillis(10))).build(), (m, ctx) -> {
                    ctx.publish(OUT, m.key(), m.key().equals("a") ? "big" : "small"); // a's output is refused
                }, producer, CourierConfig.builder("localhost:9092").metrics(recording(measured)).build());
        offerAgainAfterRewinds(p, record(p, 0, "a"), record(p, 1, "b"));

        deadLetterOnceCommitted(worker, producer, p, 2);

        assertThat(measured).as("three attempts failed on their output, then a's dead letter and b's handling")
                .containsExactly("handlerFailed orders/g 1", "handlerFailed orders/g 2", "handlerFailed orders/g 3",
                        "deadLettered orders/g", "handled orders/g");
    }

    @Test
    void aRefusedDeadLetterCountsAsAFailedPublishToTheDeadLetterTopicNotAsAFailedAttempt() {
        TopicPartition p = new TopicPartition("orders", 0);
        MockProducer<byte[], byte[]> refusingTwice = refusingDeadLetters(2, new AtomicInteger());
        List<String> measured = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        SubscriberWorker<String, String> worker = worker(ORDERS, SubscriberOptions.builder("g")
                .retry(RetryPolicy.exponential(3, Duration.ofMillis(10))
                        .withNonRetriable(List.of(IllegalArgumentException.class))).build(), (m, ctx) -> {
                            throw new IllegalArgumentException("never valid");
                        }, refusingTwice, CourierConfig.builder("localhost:9092").metrics(recording(measured)).build());
        offerAgainAfterRewinds(p, record(p, 0, "a"), null);

        deadLetterOnceCommitted(worker, refusingTwice, p, 1);

        assertThat(measured).containsExactly("handlerFailed orders/g 1",
                "publishFailed orders.dlt RecordTooLargeException", "publishFailed orders.dlt RecordTooLargeException",
                "deadLettered orders/g");
    }

    /** @return metrics that write each measurement, without its time, into {@code measured} */
    static io.courier.core.CourierMetrics recording(List<String> measured) {
        return new io.courier.core.CourierMetrics() {
            @Override
            public void publishFailed(String topic, Throwable error) {
                measured.add("publishFailed " + topic + " " + error.getClass().getSimpleName());
            }

            @Override
            public void handled(String topic, String group, long nanos) {
                measured.add("handled " + topic + "/" + group);
            }

            @Override
            public void handlerFailed(String topic, String group, int attempt) {
                measured.add("handlerFailed " + topic + "/" + group + " " + attempt);
            }

            @Override
            public void deadLettered(String topic, String group) {
                measured.add("deadLettered " + topic + "/" + group);
            }
        };
    }

    /** @return a producer that refuses the first {@code times} dead letters, counting each one sent in {@code sends} */
    private static MockProducer<byte[], byte[]> refusingDeadLetters(int times, AtomicInteger sends) {
        return new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer()) {
            @Override
            public synchronized Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> r, Callback cb) {
                if (r.topic().endsWith(".dlt") && sends.incrementAndGet() <= times) {
                    RecordTooLargeException e = new RecordTooLargeException("not now");
                    cb.onCompletion(null, e);
                    return CompletableFuture.failedFuture(e);
                }
                return super.send(r, cb);
            }
        };
    }

    private static ConsumerRecord<byte[], byte[]> record(TopicPartition tp, long offset, String key) {
        return new ConsumerRecord<>(tp.topic(), tp.partition(), offset, key.getBytes(StandardCharsets.UTF_8),
                key.getBytes(StandardCharsets.UTF_8));
    }
}
