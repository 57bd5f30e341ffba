package io.courier.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.courier.common.CourierException;
import io.courier.core.CourierConfig;
import io.courier.core.DeliveryGuarantee;
import io.courier.core.Serdes;
import io.courier.core.Topic;
import java.util.concurrent.atomic.AtomicInteger;
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
}
