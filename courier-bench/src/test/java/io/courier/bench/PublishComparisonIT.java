package io.courier.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.courier.cluster.EmbeddedKafkaCluster;
import io.courier.cluster.junit.EmbeddedKafka;
import io.courier.core.Courier;
import io.courier.core.CourierConfig;
import io.courier.core.EnvelopeFormat;
import io.courier.core.Publisher;
import io.courier.core.Serdes;
import io.courier.core.Topic;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.assertj.core.data.Index;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Timeout;

/** A short smoke run of the comparison: it measures both clients and reports real numbers. No timing is asserted. */
@EmbeddedKafka
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class PublishComparisonIT {

    @Test
    void measuresBothClientsAlternatingAndReportsTheRatios(EmbeddedKafkaCluster cluster) {
        List<String> progress = new ArrayList<>();
        PublishComparison.Result result = new PublishComparison(cluster.bootstrapServers(), Map.of(), 2_000, 512, 2, 500,
                Duration.ofSeconds(2), EnvelopeFormat.CLOUD_EVENTS, 16_384, false, 4).run(progress::add);
        assertThat(result.rounds()).extracting(PublishComparison.Round::client)
                .as("each client goes first once per kind of round")
                .containsExactly(Client.RAW, Client.COURIER, Client.COURIER, Client.RAW,
                        Client.RAW, Client.COURIER, Client.COURIER, Client.RAW);
        assertThat(result.rounds()).allSatisfy(r -> assertThat(r.messagesPerSec()).isPositive());
        assertThat(result.rounds()).as("each round reads its producer's records per request")
                .allSatisfy(r -> assertThat(r.recordsPerRequest()).isGreaterThanOrEqualTo(1.0));
        assertThat(result.rounds().subList(0, 4)).as("throughput rounds time the publishing thread's CPU")
                .allSatisfy(r -> assertThat(r.sendCpuMicros()).isPositive());
        assertThat(result.sendCpuRatio()).isPositive();
        assertThat(result.table()).contains("rec/req", "rec B", "send us", "Courier / raw CPU time of the publishing thread");
        assertThat(result.rounds().get(1).recordBytes()).as("Courier's records carry the envelope")
                .isGreaterThan(result.rounds().get(0).recordBytes());
        assertThat(result.rounds().subList(4, 8)).allSatisfy(r -> {
            assertThat(r.latency().count()).as("every message of the latency round was received").isEqualTo(1_000);
            assertThat(r.latency().p99()).isPositive().isLessThanOrEqualTo(r.latency().max());
        });
        assertThat(result.throughputRatio()).isPositive();
        assertThat(result.p99Ratio()).isPositive();
        assertThat(result.throughputInterval().pairs()).isEqualTo(2);
        assertThat(result.throughputInterval().low()).isLessThanOrEqualTo(result.throughputRatio());
        assertThat(result.throughputInterval().high()).isGreaterThanOrEqualTo(result.throughputRatio());
        assertThat(progress).as("latency first: the throughput rounds' gigabytes would disturb it").hasSize(10)
                .startsWith("latency warm-up done").contains("throughput warm-up done", Index.atIndex(5));
        assertThat(result.table()).contains("Courier / raw (geometric mean of back-to-back pairs) throughput:");
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
                cluster.clientProperties())) {
            assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS))
                    .as("every round's topics are gone, the subscribers' dead-letter topics too")
                    .noneMatch(t -> t.endsWith("-raw") || t.contains("-courier"));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @ParameterizedTest
    @EnumSource(EnvelopeFormat.class)
    void theRawClientsEnvelopeCopyIsAsLargeAsWhatCourierWrites(EnvelopeFormat format, EmbeddedKafkaCluster cluster) {
        String topic = "envelope-size-" + format;
        try (Courier courier = Courier.connect(CourierConfig.builder(cluster.bootstrapServers()).serviceName("courier-bench")
                .envelopeFormat(format).build())) {
            Topic<byte[], byte[]> t = Topic.of(topic, Serdes.bytes(), Serdes.bytes());
            courier.provision(t);
            try (Publisher<byte[], byte[]> publisher = courier.publisher(t)) {
                publisher.publishAndWait(null, new byte[64]);
            }
        }
        Header[] written = readOne(cluster.bootstrapServers(), topic).headers().toArray();
        List<Header> copy = Workloads.envelopeCopy(format);
        assertThat(copy).extracting(Header::key).containsExactly(
                java.util.Arrays.stream(written).map(Header::key).toArray(String[]::new));
        // ce_time drops a zero millisecond part (".000"), so one copy in a thousand is four bytes shorter
        assertThat(copy.stream().mapToInt(h -> h.value().length).sum())
                .isCloseTo(java.util.Arrays.stream(written).mapToInt(h -> h.value().length).sum(), within(4));
    }

    private static ConsumerRecord<byte[], byte[]> readOne(String servers, String topic) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(java.util.Map.of("bootstrap.servers", servers,
                "auto.offset.reset", "earliest", "group.id", "size-check-" + topic), new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    return r;
                }
            }
        }
        throw new AssertionError("no record on " + topic + " within 60 s");
    }

    @Test
    void theRatioIsTheGeometricMeanOfThePairsSoThatAnOrderPenaltyCancels() {
        // true ratio 0.9, the client that runs second loses 20%: pairs 0.9*0.8 and 0.9/0.8
        assertThat(PublishComparison.geometricMean(java.util.List.of(0.9 * 0.8, 0.9 / 0.8))).isCloseTo(0.9, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(PublishComparison.geometricMean(java.util.List.of(1.0, 4.0))).isCloseTo(2.0, org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void rejectsNonsenseSettingsWithTheValue() {
        assertThat(assertThrows(IllegalArgumentException.class,
                () -> new PublishComparison("localhost:9092", Map.of(), 0, 1024, 2, 100, Duration.ofSeconds(1), EnvelopeFormat.COMPACT, 16_384, false, 1)))
                .hasMessage("records must be at least 1, but was 0");
        assertThat(assertThrows(IllegalArgumentException.class,
                () -> new PublishComparison("localhost:9092", Map.of(), 10, 8, 2, 100, Duration.ofSeconds(1), EnvelopeFormat.COMPACT, 16_384, false, 1)))
                .hasMessage("record size must be between 16 and 1000000 bytes, but was 8");
        assertThat(assertThrows(IllegalArgumentException.class,
                () -> new PublishComparison("localhost:9092", Map.of(), 10, 2_000_000, 2, 100, Duration.ofSeconds(1), EnvelopeFormat.COMPACT, 16_384, false, 1)))
                .as("above the producer's max.request.size: every send would fail mid-run")
                .hasMessage("record size must be between 16 and 1000000 bytes, but was 2000000");
        assertThat(assertThrows(IllegalArgumentException.class,
                () -> new PublishComparison("localhost:9092", Map.of(), 10, 16, 2, 2_000_000_000, Duration.ofSeconds(1), EnvelopeFormat.COMPACT, 16_384, false, 1)))
                .hasMessage("rate must be between 1 and 1000000 messages/s, but was 2000000000");
        assertThat(assertThrows(IllegalArgumentException.class,
                () -> new PublishComparison("localhost:9092", Map.of(), 10, 16, 2, 100, Duration.ofSeconds(1), EnvelopeFormat.COMPACT, -1, false, 1)))
                .hasMessage("batch size must be between 0 and 33554432 bytes (the producer's buffer.memory), but was -1");
        assertThat(assertThrows(IllegalArgumentException.class,
                () -> new PublishComparison("localhost:9092", Map.of(), 10, 16, 3, 100, Duration.ofSeconds(1), EnvelopeFormat.COMPACT, 16_384, false, 1)))
                .hasMessage("rounds must be even and at least 2, so that each client goes first equally often, but was 3");
        assertThat(assertThrows(IllegalArgumentException.class,
                () -> new PublishComparison("localhost:9092", Map.of(), 10, 16, 2, 100, Duration.ofSeconds(1), EnvelopeFormat.COMPACT, 16_384, false, 11)))
                .hasMessage("slices must be between 1 and the records per round (10), but was 11");
        assertThat(assertThrows(IllegalArgumentException.class,
                () -> new PublishComparison("localhost:9092", Map.of(), 10, 16, 2, 100, Duration.ofSeconds(1), EnvelopeFormat.COMPACT, 16_384, false, 0)))
                .hasMessage("slices must be between 1 and the records per round (10), but was 0");
    }
}
