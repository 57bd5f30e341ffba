package io.courier.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.courier.core.CourierConfig;
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
        consumer.schedulePollTask(() -> {
            consumer.rebalance(List.of(failing, other));
            consumer.updateBeginningOffsets(Map.of(failing, 0L, other, 0L));
            consumer.seek(failing, 0);
            consumer.seek(other, 0);
            consumer.addRecord(record(failing, 0, "a"));
            consumer.addRecord(record(other, 0, "b"));
        });
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
        consumer.schedulePollTask(() -> {
            consumer.rebalance(List.of(p));
            consumer.updateBeginningOffsets(Map.of(p, 0L));
            consumer.seek(p, 0);
        });
        for (int poll = 0; poll < 100; poll++) { // a MockConsumer does not redeliver after a seek back: a broker would
            consumer.schedulePollTask(() -> {
                if (consumer.position(p) == 0) {
                    consumer.addRecord(failing);
                }
            });
        }
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

    private static ConsumerRecord<byte[], byte[]> record(TopicPartition tp, long offset, String key) {
        return new ConsumerRecord<>(tp.topic(), tp.partition(), offset, key.getBytes(StandardCharsets.UTF_8),
                key.getBytes(StandardCharsets.UTF_8));
    }
}
