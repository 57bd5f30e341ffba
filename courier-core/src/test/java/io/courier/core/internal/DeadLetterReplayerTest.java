package io.courier.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.courier.common.CourierException;
import io.courier.core.ClientFactory;
import io.courier.core.CourierConfig;
import io.courier.core.DeadLetter;
import io.courier.core.ReplayOptions;
import io.courier.core.ReplayResult;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * Replay's bookkeeping across partitions, with the consumer's poll order fixed, which a broker does not allow. The
 * replay itself against a broker is in PublishSubscribeIT and KafkaToolsIT.
 */
class DeadLetterReplayerTest {
    private static final TopicPartition P0 = new TopicPartition("orders.dlt", 0);
    private static final TopicPartition P1 = new TopicPartition("orders.dlt", 1);

    private final RecordingConsumer consumer = new RecordingConsumer();
    private final Map<TopicPartition, OffsetAndMetadata> commits = consumer.commits;
    /** Values whose send the cluster refuses. */
    private final Set<String> refused = new HashSet<>();
    private final MockProducer<byte[], byte[]> producer =
            new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer()) {
                @Override
                public synchronized Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record, Callback callback) {
                    if (refused.contains(new String(record.value(), StandardCharsets.UTF_8))) {
                        return CompletableFuture.failedFuture(new RecordTooLargeException("too large for orders"));
                    }
                    return super.send(record, callback);
                }
            };

    {
        consumer.updatePartitions("orders", List.of(new PartitionInfo("orders", 0, null, null, null)));
    }

    @Test
    void aDeadLetterThatArrivesDuringTheReplaySkipsOnlyItsOwnPartition() {
        consumer.updatePartitions("orders.dlt", List.of(new PartitionInfo("orders.dlt", 0, null, null, null),
                new PartitionInfo("orders.dlt", 1, null, null, null)));
        consumer.updateBeginningOffsets(Map.of(P0, 0L, P1, 0L));
        consumer.updateEndOffsets(Map.of(P0, 1L, P1, 2L));
        // One poll returns partition 0's old record, then one written after the replay began, then partition 1's.
        consumer.schedulePollTask(() -> {
            consumer.addRecord(deadLetter(0, 0));
            consumer.addRecord(deadLetter(0, 1));
            consumer.addRecord(deadLetter(1, 0));
        });
        consumer.schedulePollTask(() -> consumer.addRecord(deadLetter(1, 1)));

        ReplayResult result = DeadLetterReplayer.replay(config(), "orders.dlt", ReplayOptions.defaults().withRate(10_000));

        assertThat(result.replayed()).isEqualTo(3);
        assertThat(producer.history()).extracting(r -> new String(r.value(), StandardCharsets.UTF_8))
                .containsExactly("v0@0", "v1@0", "v1@1");
        assertThat(commits).containsEntry(P0, new OffsetAndMetadata(1)).containsEntry(P1, new OffsetAndMetadata(2));
    }

    @Test
    void aCorrectionThatReturnsNullSkipsTheDeadLetterAndMovesPastIt() {
        onePartitionEndingAt(2);
        consumer.schedulePollTask(() -> {
            consumer.addRecord(deadLetter(0, 0));
            consumer.addRecord(deadLetter(0, 1));
        });

        ReplayResult result = DeadLetterReplayer.replay(config(), "orders.dlt", ReplayOptions.defaults().withRate(10_000)
                .withCorrection(d -> new String(d.value(), StandardCharsets.UTF_8).equals("v0@0") ? null : d));

        assertThat(result).isEqualTo(new ReplayResult(1, 1));
        assertThat(producer.history()).extracting(r -> new String(r.value(), StandardCharsets.UTF_8)).containsExactly("v0@1");
        assertThat(commits).containsEntry(P0, new OffsetAndMetadata(2));
    }

    @Test
    void recordsThatAreNotCourierDeadLettersAreReportedAndMovedPastAndTheOthersReplayed() {
        onePartitionEndingAt(5);
        ConsumerRecord<byte[], byte[]> foreign = new ConsumerRecord<>("orders.dlt", 0, 1, null, new byte[] {1});
        ConsumerRecord<byte[], byte[]> badAttempts = deadLetter(0, 2);
        badAttempts.headers().add(DeadLetter.Headers.ATTEMPTS, "three".getBytes(StandardCharsets.UTF_8));
        ConsumerRecord<byte[], byte[]> badTopic = new ConsumerRecord<>("orders.dlt", 0, 3, null, new byte[] {3});
        badTopic.headers().add(DeadLetter.Headers.ORIGINAL_TOPIC, "".getBytes(StandardCharsets.UTF_8));
        consumer.schedulePollTask(() -> {
            consumer.addRecord(deadLetter(0, 0));
            consumer.addRecord(foreign);
            consumer.addRecord(badAttempts);
            consumer.addRecord(badTopic);
            consumer.addRecord(deadLetter(0, 4));
        });

        ReplayResult result = DeadLetterReplayer.replay(config(), "orders.dlt", ReplayOptions.defaults().withRate(10_000));

        assertThat(result.replayed()).isEqualTo(2);
        assertThat(result.unreadable()).isEqualTo(3);
        assertThat(result.firstUnreadable()).hasSize(3);
        assertThat(result.firstUnreadable().get(0)).startsWith("orders.dlt-0@1 has no " + DeadLetter.Headers.ORIGINAL_TOPIC);
        assertThat(result.firstUnreadable().get(1)).startsWith("orders.dlt-0@2 has header " + DeadLetter.Headers.ATTEMPTS);
        assertThat(result.firstUnreadable().get(2)).startsWith("orders.dlt-0@3 has header "
                + DeadLetter.Headers.ORIGINAL_TOPIC + "=''").contains("not a legal topic name");
        assertThat(producer.history()).extracting(r -> new String(r.value(), StandardCharsets.UTF_8))
                .containsExactly("v0@0", "v0@4");
        assertThat(commits).as("the next replay does not stop at them either").containsEntry(P0, new OffsetAndMetadata(5));
    }

    @Test
    void recordsThatAreNotDeadLettersAreLoggedAndACorrectionNeverSeesThem() throws Exception {
        onePartitionEndingAt(3);
        ConsumerRecord<byte[], byte[]> foreign = new ConsumerRecord<>("orders.dlt", 0, 1, null, new byte[] {1});
        consumer.schedulePollTask(() -> {
            consumer.addRecord(deadLetter(0, 0));
            consumer.addRecord(foreign);
            consumer.addRecord(deadLetter(0, 2));
        });
        List<String> corrected = new java.util.ArrayList<>();
        AtomicReference<ReplayResult> replayed = new AtomicReference<>();

        String log = CapturedLog.during(() -> replayed.set(DeadLetterReplayer.replay(config(), "orders.dlt",
                ReplayOptions.defaults().withRate(10_000).withCorrection(d -> {
                    corrected.add(new String(d.value(), StandardCharsets.UTF_8));
                    return d;
                }))));
        ReplayResult result = replayed.get();

        assertThat(corrected).as("the dead letters only").containsExactly("v0@0", "v0@2");
        assertThat(producer.history()).extracting(r -> new String(r.value(), StandardCharsets.UTF_8))
                .containsExactly("v0@0", "v0@2");
        assertThat(result.unreadable()).isEqualTo(1);
        assertThat(log).contains("WARN")
                .contains("dead-letter replay left a record in place and moved past it: orders.dlt-0@1 has no "
                        + DeadLetter.Headers.ORIGINAL_TOPIC + " header");
    }

    @Test
    void unreadableRecordsCountTowardsTheLimitAndTheResultNamesTheFirstTen() {
        onePartitionEndingAt(20);
        consumer.schedulePollTask(() -> {
            for (int i = 0; i < 20; i++) {
                consumer.addRecord(new ConsumerRecord<>("orders.dlt", 0, i, null, new byte[] {(byte) i}));
            }
        });

        ReplayResult result = DeadLetterReplayer.replay(config(), "orders.dlt", ReplayOptions.defaults().withRate(10_000)
                .withMaxMessages(12));

        assertThat(result).extracting(ReplayResult::replayed, ReplayResult::unreadable).containsExactly(0L, 12L);
        assertThat(result.firstUnreadable()).hasSize(ReplayResult.MAX_LISTED);
        assertThat(result.firstUnreadable().get(9)).startsWith("orders.dlt-0@9 ");
        assertThat(commits).containsEntry(P0, new OffsetAndMetadata(12));
    }

    @Test
    void aDeadLetterWhoseTopicIsGoneStopsTheReplayThereNamingTheTopicWhatToDoAndWhatItDidBefore() {
        onePartitionEndingAt(3);
        ConsumerRecord<byte[], byte[]> gone = new ConsumerRecord<>("orders.dlt", 0, 1, null, new byte[] {1});
        gone.headers().add(DeadLetter.Headers.ORIGINAL_TOPIC, "invoices".getBytes(StandardCharsets.UTF_8));
        consumer.schedulePollTask(() -> {
            consumer.addRecord(deadLetter(0, 0));
            consumer.addRecord(gone);
            consumer.addRecord(deadLetter(0, 2));
        });

        CourierException e = assertThrows(CourierException.class,
                () -> DeadLetterReplayer.replay(config(), "orders.dlt", ReplayOptions.defaults().withRate(10_000)));

        assertThat(e).hasMessage("dead letter orders.dlt-0@1 names original topic 'invoices', which does not exist at "
                + "localhost:9092; create it and replay again (the replay continues at this record), or replay with a "
                + "correction that skips it (returns null) or sends it elsewhere (before it stopped it replayed 1, "
                + "skipped 0 and moved past 0 unreadable record(s))");
        assertThat(producer.history()).hasSize(1);
        assertThat(commits).as("the next replay starts at it").containsEntry(P0, new OffsetAndMetadata(1));
    }

    @Test
    void aDeadLetterIsCommittedOnlyOnceItsReplayIsAcknowledged() {
        onePartitionEndingAt(3);
        consumer.schedulePollTask(() -> {
            consumer.addRecord(deadLetter(0, 0));
            consumer.addRecord(deadLetter(0, 1));
            consumer.addRecord(deadLetter(0, 2));
        });
        refused.add("v0@1");

        CourierException e = assertThrows(CourierException.class, () -> DeadLetterReplayer.replay(config(),
                "orders.dlt", ReplayOptions.defaults().withRate(10_000)));

        assertThat(e).hasMessageContaining("orders.dlt-0@1").hasMessageContaining("too large for orders");
        assertThat(producer.history()).extracting(r -> new String(r.value(), StandardCharsets.UTF_8))
                .containsExactly("v0@0");
        assertThat(commits).as("the next replay starts at the refused one").containsEntry(P0, new OffsetAndMetadata(1));
    }

    @Test
    void aReplayKeepsToItsRate() {
        onePartitionEndingAt(6);
        consumer.schedulePollTask(() -> {
            for (int offset = 0; offset < 6; offset++) {
                consumer.addRecord(deadLetter(0, offset));
            }
        });
        long start = System.nanoTime();

        ReplayResult result = DeadLetterReplayer.replay(config(), "orders.dlt", ReplayOptions.defaults().withRate(10));

        // A lower bound only: a rate limit can be slower than its rate on a busy machine, never faster.
        assertThat(result.replayed()).isEqualTo(6);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("6 messages at 10 per second: 5 intervals of 100 ms")
                .isGreaterThanOrEqualTo(Duration.ofMillis(480));
    }

    @Test
    void aReplayKeepsToItsRateAfterAPauseToo() {
        onePartitionEndingAt(3);
        consumer.schedulePollTask(() -> {
            try {
                Thread.sleep(300); // a slow first fetch: the pause must not let two records out back to back
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            for (int offset = 0; offset < 3; offset++) {
                consumer.addRecord(deadLetter(0, offset));
            }
        });
        List<Long> sentAt = new java.util.concurrent.CopyOnWriteArrayList<>();
        MockProducer<byte[], byte[]> timing =
                new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer()) {
                    @Override
                    public synchronized Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> r, Callback cb) {
                        sentAt.add(System.nanoTime());
                        return super.send(r, cb);
                    }
                };

        DeadLetterReplayer.replay(config(timing), "orders.dlt", ReplayOptions.defaults().withRate(5));

        assertThat(sentAt).hasSize(3);
        for (int i = 1; i < 3; i++) { // a lower bound only, as above: 200 ms apart at 5 per second
            assertThat(Duration.ofNanos(sentAt.get(i) - sentAt.get(i - 1))).as("gap %d", i)
                    .isGreaterThanOrEqualTo(Duration.ofMillis(190));
        }
    }

    @Test
    void aReplayThatCanReadNothingWhileRecordsRemainStopsNamingThePartitions() {
        onePartitionEndingAt(5); // and no poll ever returns them, as while a leader is missing
        CourierConfig config = impatient(producer);

        io.courier.common.CourierRetriableException e = assertThrows(
                io.courier.common.CourierRetriableException.class,
                () -> DeadLetterReplayer.replay(config, "orders.dlt", ReplayOptions.defaults()));

        assertThat(e).hasMessageStartingWith("dead-letter replay of 'orders.dlt' at localhost:9092 moved no further "
                + "for 1s though partitions [orders.dlt-0] hold more");
    }

    @Test
    void deadLettersArrivingOnAnotherPartitionDoNotHideAPartitionThatCanReadNothing() {
        consumer.updatePartitions("orders.dlt", List.of(new PartitionInfo("orders.dlt", 0, null, null, null),
                new PartitionInfo("orders.dlt", 1, null, null, null)));
        consumer.updateBeginningOffsets(Map.of(P0, 0L, P1, 0L));
        consumer.updateEndOffsets(Map.of(P0, 5L, P1, 0L)); // partition 0 never returns its records
        int arrivals = 200; // one new dead letter on partition 1 every 20 ms: 4 s of them
        java.util.concurrent.atomic.AtomicInteger arrived = new java.util.concurrent.atomic.AtomicInteger();
        for (int i = 0; i < arrivals; i++) {
            int offset = i;
            consumer.schedulePollTask(() -> {
                sleep(Duration.ofMillis(20));
                consumer.addRecord(deadLetter(1, offset));
                arrived.incrementAndGet();
            });
        }
        CourierConfig config = impatient(producer);

        io.courier.common.CourierRetriableException e = assertThrows(
                io.courier.common.CourierRetriableException.class,
                () -> DeadLetterReplayer.replay(config, "orders.dlt", ReplayOptions.defaults()));

        assertThat(e).hasMessageContaining("though partitions [orders.dlt-0] hold more");
        assertThat(arrived.get()).as("new dead letters when the replay gave up: it did not wait for them to stop")
                .isLessThan(arrivals);
        assertThat(producer.history()).isEmpty();
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @Test
    void aSlowReplayAndAPollThatOnlyMovesPastATransactionMarkerAreProgressNotAStall() {
        onePartitionEndingAt(4);
        consumer.schedulePollTask(() -> {
            for (int offset = 0; offset < 3; offset++) {
                consumer.addRecord(deadLetter(0, offset));
            }
        });
        consumer.schedulePollTask(() -> consumer.seek(P0, 4)); // offset 3, a commit marker, returns no record
        CourierConfig config = impatient(producer);

        // 3 records at 2 a second take longer than the 1 s a replay may go without moving on.
        ReplayResult result = DeadLetterReplayer.replay(config, "orders.dlt", ReplayOptions.defaults().withRate(2));

        assertThat(result.replayed()).isEqualTo(3);
    }

    @Test
    void aSendThatIsNeverAnsweredStopsTheReplayAfterTheProducersDeliveryTimeoutWithNothingCommitted() {
        onePartitionEndingAt(1);
        consumer.schedulePollTask(() -> consumer.addRecord(deadLetter(0, 0)));
        MockProducer<byte[], byte[]> silent = // its sends are never completed: a cluster that does not answer
                new MockProducer<>(false, null, new ByteArraySerializer(), new ByteArraySerializer());
        CourierConfig config = impatient(silent);

        io.courier.common.CourierRetriableException e = assertThrows(
                io.courier.common.CourierRetriableException.class,
                () -> DeadLetterReplayer.replay(config, "orders.dlt", ReplayOptions.defaults()));

        // The producer's delivery.timeout.ms (500 ms request timeout + 5 ms linger) and 5 s more.
        assertThat(e).hasMessage("cannot replay orders.dlt-0@0 to topic 'orders': no answer within 5s505ms");
        assertThat(silent.history()).hasSize(1);
        assertThat(commits).isEmpty();
    }

    @Test
    void theProducerGivesUpOnASendBeforeTheReplayStopsWaitingForIt() {
        Map<String, Object> producerConfig = new java.util.HashMap<>(Map.of("linger.ms", "5"));

        Duration waited = DeadLetterReplayer.deliveryTimeout(producerConfig, Duration.ofSeconds(15));

        // Kafka requires delivery.timeout.ms >= request.timeout.ms + linger.ms; the replay waits longer than that.
        assertThat(producerConfig).containsEntry("delivery.timeout.ms", "15005")
                .containsEntry("request.timeout.ms", "15000");
        assertThat(waited).isEqualTo(Duration.ofMillis(15005));
        Map<String, Object> chosen = new java.util.HashMap<>(Map.of("delivery.timeout.ms", "60000"));
        assertThat(DeadLetterReplayer.deliveryTimeout(chosen, Duration.ofSeconds(15))).isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void aKafkaErrorStopsTheReplayNamingTheTopicAndTheCluster() {
        onePartitionEndingAt(1);
        consumer.setPollException(new org.apache.kafka.common.errors.GroupAuthorizationException("not allowed"));

        CourierException e = assertThrows(CourierException.class,
                () -> DeadLetterReplayer.replay(config(), "orders.dlt", ReplayOptions.defaults()));

        assertThat(e).isNotInstanceOf(io.courier.common.CourierRetriableException.class)
                .hasMessageStartingWith("dead-letter replay of 'orders.dlt' at localhost:9092 stopped: ")
                .hasMessageContaining("not allowed");
    }

    @Test
    void headerValuesFromUnknownProducersAreShownEscapedAndShortened() {
        assertThat(DeadLetterReplayer.shown("ok")).isEqualTo("ok");
        assertThat(DeadLetterReplayer.shown("a\nb\u001b[31m")).isEqualTo("a\\u000ab\\u001b[31m");
        assertThat(DeadLetterReplayer.shown("x".repeat(100))).isEqualTo("x".repeat(80) + "...");
        ConsumerRecord<byte[], byte[]> internal = deadLetter(0, 7);
        internal.headers().remove(DeadLetter.Headers.ORIGINAL_TOPIC);
        internal.headers().add(DeadLetter.Headers.ORIGINAL_TOPIC, "__consumer_offsets".getBytes(StandardCharsets.UTF_8));
        assertThat(assertThrows(CourierException.class, () -> DeadLetterReplayer.read(internal)))
                .hasMessageContaining("one of Kafka's internal topics");
    }

    @Test
    void aDeadLetterWithAMalformedNumberHeaderIsRefusedNamingItAndTheValue() {
        ConsumerRecord<byte[], byte[]> r = deadLetter(0, 4);
        r.headers().add(DeadLetter.Headers.ATTEMPTS, "three".getBytes(StandardCharsets.UTF_8));

        CourierException e = assertThrows(CourierException.class, () -> DeadLetterReplayer.read(r));

        assertThat(e).hasMessageContaining("orders.dlt-0@4").hasMessageContaining(DeadLetter.Headers.ATTEMPTS + "='three'")
                .hasMessageContaining("expected a whole number");
    }

    @Test
    void aHeaderWithoutAValueCountsAsAbsent() {
        ConsumerRecord<byte[], byte[]> r = deadLetter(0, 5);
        r.headers().add(DeadLetter.Headers.EXCEPTION_MESSAGE, null);

        assertThat(DeadLetterReplayer.read(r).exceptionMessage()).isEmpty();
    }

    @Test
    void aReplayWritesTheOriginalHeadersBackByteForByteInTheirOrder() {
        onePartitionEndingAt(1);
        // A binary envelope is not UTF-8 text; Kafka also allows repeated names and headers without a value.
        byte[] binaryEnvelope = {1, (byte) 0x9f, (byte) 0xff, 0, (byte) 0xc3, 0x28, 127, (byte) 0x80};
        ConsumerRecord<byte[], byte[]> dead = deadLetter(0, 0);
        // Replayed before and dead-lettered again: only the latest replay is named, not a growing list of them.
        dead.headers().add(DeadLetter.Headers.REPLAYED_FROM, "orders.dlt-0@99".getBytes(StandardCharsets.UTF_8));
        dead.headers().add("courier", binaryEnvelope);
        dead.headers().add("tag", "a".getBytes(StandardCharsets.UTF_8));
        dead.headers().add(DeadLetter.Headers.ATTEMPTS, "3".getBytes(StandardCharsets.UTF_8));
        dead.headers().add("tag", "b".getBytes(StandardCharsets.UTF_8));
        dead.headers().add("empty", null);
        consumer.schedulePollTask(() -> consumer.addRecord(dead));

        DeadLetterReplayer.replay(config(), "orders.dlt", ReplayOptions.defaults().withRate(10_000));

        assertThat(producer.history()).hasSize(1);
        assertThat(producer.history().get(0).headers().toArray())
                .extracting(Header::key, Header::value)
                .containsExactly(tuple("courier", binaryEnvelope), tuple("tag", "a".getBytes(StandardCharsets.UTF_8)),
                        tuple("tag", "b".getBytes(StandardCharsets.UTF_8)), tuple("empty", null),
                        tuple(DeadLetter.Headers.REPLAYED_FROM, "orders.dlt-0@0".getBytes(StandardCharsets.UTF_8)));
        assertThat(DeadLetterReplayer.read(dead).headerAsText("tag")).contains("b");
    }

    /** A connect timeout of 500 ms: a replay that moves no further gives up after 1 s. */
    private CourierConfig impatient(Producer<byte[], byte[]> replayProducer) {
        return CourierConfig.builder("localhost:9092").connectTimeout(Duration.ofMillis(500))
                .clientFactory(factory(replayProducer)).build();
    }

    /** The dead-letter topic has partition 0 only, holding offsets 0 to {@code end - 1}. */
    private void onePartitionEndingAt(long end) {
        consumer.updatePartitions("orders.dlt", List.of(new PartitionInfo("orders.dlt", 0, null, null, null)));
        consumer.updateBeginningOffsets(Map.of(P0, 0L));
        consumer.updateEndOffsets(Map.of(P0, end));
    }

    private CourierConfig config() {
        return config(producer);
    }

    private CourierConfig config(Producer<byte[], byte[]> replayProducer) {
        return CourierConfig.builder("localhost:9092").clientFactory(factory(replayProducer)).build();
    }

    private ClientFactory factory(Producer<byte[], byte[]> replayProducer) {
        return new ClientFactory() {
            @Override
            public Producer<byte[], byte[]> producer(Map<String, Object> config) {
                return replayProducer;
            }

            @Override
            public Consumer<byte[], byte[]> consumer(Map<String, Object> config) {
                return consumer;
            }

            @Override
            public Admin admin(Map<String, Object> config) {
                throw new UnsupportedOperationException("replay needs no admin client");
            }
        };
    }

    private static ConsumerRecord<byte[], byte[]> deadLetter(int partition, long offset) {
        ConsumerRecord<byte[], byte[]> r = new ConsumerRecord<>("orders.dlt", partition, offset, null,
                ("v" + partition + "@" + offset).getBytes(StandardCharsets.UTF_8));
        r.headers().add(DeadLetter.Headers.ORIGINAL_TOPIC, "orders".getBytes(StandardCharsets.UTF_8));
        return r;
    }
}
