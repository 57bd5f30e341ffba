package io.courier.eventsourcing.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.eventsourcing.EventOffset;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The held acceptance and its offsets, against kafka-clients' in-memory producer (no broker needed for this logic). */
class OffsetStampingProducerTest {
    private MockProducer<byte[], byte[]> kafka;
    private OffsetStampingProducer producer;

    @BeforeEach
    void start() {
        kafka = new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
        producer = new OffsetStampingProducer(kafka, (value, offsets) ->
                (new String(value, StandardCharsets.UTF_8) + " " + offsets).getBytes(StandardCharsets.UTF_8));
        producer.initTransactions();
        producer.beginTransaction();
        // Someone else's records already in the partition, so offsets do not start at 0.
        producer.send(new ProducerRecord<>("events", 0, null, "x".getBytes(StandardCharsets.UTF_8)));
        producer.send(new ProducerRecord<>("events", 0, null, "y".getBytes(StandardCharsets.UTF_8)));
    }

    private static ProducerRecord<byte[], byte[]> record(String topic, String value, String tokenHeader, String token) {
        ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(topic, 0, null, value.getBytes(StandardCharsets.UTF_8));
        r.headers().add("ce_type", "T".getBytes(StandardCharsets.UTF_8));
        if (tokenHeader != null) {
            r.headers().add(tokenHeader, token.getBytes(StandardCharsets.UTF_8));
        }
        return r;
    }

    private static String value(ProducerRecord<byte[], byte[]> r) {
        return new String(r.value(), StandardCharsets.UTF_8);
    }

    @Test
    void holdsAnAcceptanceUntilTheCommitAndSendsItWithItsEventsOffsetsInTheSameTransaction() {
        producer.send(record("events", "e1", OffsetStampingProducer.EVENT_TOKEN, "7"));
        producer.send(record("events", "e2", OffsetStampingProducer.EVENT_TOKEN, "7"));
        producer.send(record("replies", "accepted", OffsetStampingProducer.REPLY_TOKEN, "7"));
        producer.send(record("replies", "rejected", null, null));

        assertThat(kafka.uncommittedRecords()).extracting(OffsetStampingProducerTest::value)
                .containsExactly("x", "y", "e1", "e2", "rejected");

        producer.sendOffsetsToTransaction(Map.of(), new MockConsumer<byte[], byte[]>("earliest").groupMetadata());
        producer.commitTransaction();

        assertThat(kafka.transactionCommitted()).isTrue();
        assertThat(kafka.history()).extracting(OffsetStampingProducerTest::value).containsExactly("x", "y", "e1", "e2",
                "rejected", "accepted " + List.of(new EventOffset("events", 0, 2), new EventOffset("events", 0, 3)));
        assertThat(kafka.history()).allSatisfy(r -> assertThat(r.headers().toArray()).noneMatch(h ->
                h.key().startsWith("courier-internal")));
        assertThat(kafka.history().get(2).headers().lastHeader("ce_type")).isNotNull();
    }

    @Test
    void aFlushBeforeTheCommitSendsHeldAcceptancesToo() {
        producer.send(record("events", "e", OffsetStampingProducer.EVENT_TOKEN, "1"));
        producer.send(record("replies", "accepted", OffsetStampingProducer.REPLY_TOKEN, "1"));

        producer.flush();

        assertThat(kafka.uncommittedRecords()).extracting(OffsetStampingProducerTest::value).endsWith("e",
                "accepted " + List.of(new EventOffset("events", 0, 2)));
    }

    @Test
    void anAbortedTransactionNeverSendsItsHeldAcceptance() {
        producer.send(record("events", "e-1", OffsetStampingProducer.EVENT_TOKEN, "1"));
        producer.send(record("replies", "accepted-1", OffsetStampingProducer.REPLY_TOKEN, "1"));
        producer.abortTransaction();

        producer.beginTransaction();
        producer.send(record("events", "e-2", OffsetStampingProducer.EVENT_TOKEN, "2"));
        producer.send(record("replies", "accepted-2", OffsetStampingProducer.REPLY_TOKEN, "2"));
        producer.commitTransaction();

        // x, y and e-1 were aborted, yet used offsets 0 to 2, as on a broker
        assertThat(kafka.history()).extracting(OffsetStampingProducerTest::value)
                .containsExactly("e-2", "accepted-2 " + List.of(new EventOffset("events", 0, 3)));
    }

    @Test
    void aFailedEventKeepsTheAcceptanceBackAndReportsTheFailureThroughItsCallback() {
        MockProducer<byte[], byte[]> manual = new MockProducer<>(false, null, new ByteArraySerializer(),
                new ByteArraySerializer());
        OffsetStampingProducer stamping = new OffsetStampingProducer(manual, (value, offsets) -> value);
        stamping.initTransactions();
        stamping.beginTransaction();
        stamping.send(record("events", "e", OffsetStampingProducer.EVENT_TOKEN, "1"));
        java.util.concurrent.atomic.AtomicReference<Exception> seen = new java.util.concurrent.atomic.AtomicReference<>();
        stamping.send(record("replies", "accepted", OffsetStampingProducer.REPLY_TOKEN, "1"), (md, e) -> seen.set(e));

        manual.errorNext(new org.apache.kafka.common.KafkaException("broker said no"));
        stamping.flush();

        assertThat(seen.get()).hasMessage("broker said no");
        assertThat(manual.uncommittedRecords()).extracting(OffsetStampingProducerTest::value).containsExactly("e");
    }
}
