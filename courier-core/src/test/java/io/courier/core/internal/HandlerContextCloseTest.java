package io.courier.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.core.CourierConfig;
import io.courier.core.DeliveryGuarantee;
import io.courier.core.Handlers;
import io.courier.core.MessageHandler;
import io.courier.core.RetryPolicy;
import io.courier.core.Serdes;
import io.courier.core.SubscriberOptions;
import io.courier.core.Topic;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What {@link io.courier.core.HandlerContext} tells a handler about its subscriber's close, without a broker. */
@Timeout(60)
class HandlerContextCloseTest {
    private static final Topic<String, String> ORDERS = Topic.of("orders", Serdes.string(), Serdes.string());
    private final TopicPartition p = new TopicPartition("orders", 0);
    private final RecordingConsumer consumer = new RecordingConsumer();
    private final MockProducer<byte[], byte[]> producer =
            new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
    /** What each handler call saw: key, where, closing(), interruptedByClose(). */
    private final List<String> seen = new CopyOnWriteArrayList<>();
    private final CountDownLatch handlingA = new CountDownLatch(1);
    private final CountDownLatch sawClosing = new CountDownLatch(1);

    /** Handles a until close interrupts it (noting what it sees on the way), and the other records at once. */
    private final MessageHandler<String, String> handler = (m, ctx) -> {
        seen.add(m.key() + " start " + ctx.closing() + " " + ctx.interruptedByClose());
        if (!m.key().equals("a")) {
            return;
        }
        handlingA.countDown();
        while (!ctx.closing()) {
            Thread.onSpinWait();
        }
        seen.add("a closing " + ctx.closing() + " " + ctx.interruptedByClose());
        sawClosing.countDown();
        try {
            Thread.sleep(60_000);
        } catch (InterruptedException e) {
            seen.add("a interrupted " + ctx.closing() + " " + ctx.interruptedByClose());
            throw new IllegalStateException("aborted"); // the interrupt reworded, as a responder might
        }
    };

    @Test
    void aHandlerLearnsThatCloseBeganAndThenThatItInterruptedItsThread() throws Exception {
        closeAndInterruptWhileHandlingA(DeliveryGuarantee.AT_LEAST_ONCE);

        assertThat(seen).containsExactly("a start false false", "a closing true false", "a interrupted true true");
        assertThat(consumer.commits).as("a, b and c go to the partition's next owner").doesNotContainKey(p);
        assertThat(producer.history()).as("nothing dead-lettered").isEmpty();
    }

    @Test
    void underAtMostOnceOnlyTheRecordThatCloseInterruptedSeesTheInterrupt() throws Exception {
        closeAndInterruptWhileHandlingA(DeliveryGuarantee.AT_MOST_ONCE);

        assertThat(seen).containsExactly("a start false false", "a closing true false", "a interrupted true true",
                "b start true false", "c start true false");
        assertThat(consumer.commits).as("committed before handling").containsEntry(p, new OffsetAndMetadata(3));
        assertThat(producer.history()).as("a is lost, not dead-lettered").isEmpty();
    }

    @Test
    void anInterruptedExceptionWhileClosingIsAFailedAttemptUnderAtMostOnceWhichCommittedTheRecordAlready()
            throws Exception {
        SubscriberWorker<String, String> worker = worker(DeliveryGuarantee.AT_MOST_ONCE, (m, ctx) -> {
            handlingA.countDown();
            while (!ctx.closing()) {
                Thread.onSpinWait();
            }
            throw new InterruptedException("stopping for the close");
        });
        consumer.assignFromStart(p, record(0, "a"));
        Thread t = new Thread(worker);
        t.start();
        assertThat(handlingA.await(20, TimeUnit.SECONDS)).isTrue();

        worker.stop();
        t.join(20_000);

        assertThat(t.isAlive()).isFalse();
        assertThat(consumer.commits).containsEntry(p, new OffsetAndMetadata(1));
        assertThat(producer.history()).as("its dead letter, as for any failure: nobody else gets the record")
                .singleElement().satisfies(r -> assertThat(r.topic()).isEqualTo("orders.dlt"));
    }

    private SubscriberWorker<String, String> worker(DeliveryGuarantee guarantee, MessageHandler<String, String> h) {
        CourierConfig config = CourierConfig.builder("localhost:9092").build();
        return new SubscriberWorker<>("w", "orders",
                SubscriberOptions.builder("g").guarantee(guarantee).retry(RetryPolicy.noRetries()).build(), config,
                new RecordHandler<>(ORDERS, Handlers.all(h), config), consumer, () -> producer, "orders.dlt");
    }

    /** Offers a, b and c, then does what close(timeout) does: stop, and once a saw that, interrupt. */
    private void closeAndInterruptWhileHandlingA(DeliveryGuarantee guarantee) throws InterruptedException {
        SubscriberWorker<String, String> worker = worker(guarantee, handler);
        consumer.assignFromStart(p, record(0, "a"), record(1, "b"), record(2, "c"));
        Thread t = new Thread(worker);
        t.start();
        assertThat(handlingA.await(20, TimeUnit.SECONDS)).isTrue();

        worker.stop();
        assertThat(sawClosing.await(20, TimeUnit.SECONDS)).isTrue();
        worker.interruptForClose(t);
        t.join(20_000);

        assertThat(t.isAlive()).isFalse();
        assertThat(worker.failure()).isNull();
    }

    private ConsumerRecord<byte[], byte[]> record(long offset, String key) {
        return new ConsumerRecord<>("orders", 0, offset, key.getBytes(StandardCharsets.UTF_8),
                ("v" + offset).getBytes(StandardCharsets.UTF_8));
    }
}
