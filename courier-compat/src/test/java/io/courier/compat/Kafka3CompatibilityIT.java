package io.courier.compat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.courier.core.Courier;
import io.courier.core.CourierConfig;
import io.courier.common.CourierException;
import io.courier.core.DeadLetter;
import io.courier.core.DeliveryGuarantee;
import io.courier.core.GroupProtocol;
import io.courier.core.Handlers;
import io.courier.core.Publisher;
import io.courier.core.PublisherOptions;
import io.courier.core.ReplayOptions;
import io.courier.core.ReplayResult;
import io.courier.core.RetryPolicy;
import io.courier.core.Serdes;
import io.courier.core.Subscriber;
import io.courier.core.SubscriberOptions;
import io.courier.core.Topic;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Courier's core messaging, built on Kafka 4.4 clients, against an Apache Kafka 3.9 broker: what the docs mean by
 * "any Kafka 3.x/4.x cluster". Request-reply, event sourcing and the CLI have classes of their own here; all share
 * one broker through {@link Kafka3Extension}.
 */
@ExtendWith(Kafka3Extension.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class Kafka3CompatibilityIT {
    private static Kafka3Broker broker;
    private static Courier courier;

    @BeforeAll
    static void connect(Kafka3Broker kafka3) {
        broker = kafka3;
        courier = Courier.connect(CourierConfig.builder(broker.bootstrapServers()).serviceName("compat").build());
    }

    @AfterAll
    static void disconnect() {
        if (courier != null) {
            courier.close();
        }
    }

    @Test
    void theBrokerIsKafka3() {
        assertThat(broker.log()).contains("Kafka version: " + Kafka3Broker.VERSION);
    }

    @Test
    void provisionCreatesMissingTopicsAndReportsDriftInsteadOfChangingThem() throws Exception {
        courier.provision(Topic.builder("provisioned", Serdes.string(), Serdes.string()).partitions(3)
                .config("retention.ms", "86400000").build());
        assertThat(courier.admin().describeTopics(List.of("provisioned")).allTopicNames().get().get("provisioned")
                .partitions()).hasSize(3);

        CourierException drift = assertThrows(CourierException.class, () -> courier.provision(
                Topic.builder("provisioned", Serdes.string(), Serdes.string()).partitions(6)
                        .config("retention.ms", "604800000").build()));
        assertThat(drift.getMessage()).contains("topic 'provisioned' has 3 partitions, declared 6")
                .contains("topic 'provisioned' has retention.ms=86400000, declared retention.ms=604800000");
    }

    @Test
    void atLeastOnceKeepsPerKeyOrderAndDeadLettersAPoisonMessageThatReplayBringsBack() throws Exception {
        Topic<String, String> topic = Topic.builder("alo", Serdes.string(), Serdes.string()).partitions(4).build();
        courier.provision(topic);
        Map<String, List<Integer>> seen = new ConcurrentHashMap<>();
        List<String> handledPoison = new CopyOnWriteArrayList<>();
        try (Subscriber subscriber = courier.subscriber(topic, SubscriberOptions.builder("alo-group").concurrency(2)
                        .retry(RetryPolicy.exponential(2, Duration.ofMillis(50))).build(),
                Handlers.<String, String>all((msg, ctx) -> {
                    if (msg.value().startsWith("poison")) {
                        throw new IllegalStateException("cannot handle " + msg.value());
                    }
                    if (msg.value().startsWith("fixed")) {
                        handledPoison.add(msg.value());
                        return;
                    }
                    seen.computeIfAbsent(msg.key(), k -> Collections.synchronizedList(new ArrayList<>()))
                            .add(Integer.parseInt(msg.value()));
                })).start().awaitAssignment(Duration.ofSeconds(60))) {
            Publisher<String, String> publisher = courier.publisher(topic);
            for (int i = 0; i < 400; i++) {
                publisher.publish("key-" + (i % 8), Integer.toString(i));
                if (i == 200) {
                    publisher.publish("key-0", "poison-200");
                }
            }
            publisher.flush();
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> seen.values().stream().mapToInt(List::size).sum() == 400);
            seen.forEach((key, values) -> assertThat(values).as("order of %s", key).isSorted().doesNotHaveDuplicates());

            List<ConsumerRecord<String, String>> dead = readAll("alo.dlt", 1);
            Map<String, String> headers = new HashMap<>();
            for (Header h : dead.get(0).headers()) {
                headers.put(h.key(), new String(h.value(), StandardCharsets.UTF_8));
            }
            assertThat(headers).containsEntry(DeadLetter.Headers.ORIGINAL_TOPIC, "alo")
                    .containsEntry(DeadLetter.Headers.EXCEPTION_CLASS, IllegalStateException.class.getName())
                    .containsEntry(DeadLetter.Headers.EXCEPTION_MESSAGE, "cannot handle poison-200")
                    .containsEntry(DeadLetter.Headers.ATTEMPTS, "2");

            ReplayResult replay = courier.replayDeadLetters("alo.dlt", ReplayOptions.defaults()
                    .withCorrection(d -> d.withValue("fixed-200".getBytes(StandardCharsets.UTF_8))));
            assertThat(replay).isEqualTo(new ReplayResult(1, 0));
            await().atMost(Duration.ofSeconds(60)).until(() -> handledPoison.contains("fixed-200"));
            assertThat(subscriber.isRunning()).as("carried on after the poison message").isTrue();
        }
    }

    @Test
    void exactlyOnceConsumeTransformProduceWritesEachInputOnceForReadCommittedReaders() throws Exception {
        Topic<String, String> in = Topic.builder("eos-in", Serdes.string(), Serdes.string()).partitions(3).build();
        Topic<String, String> out = Topic.builder("eos-out", Serdes.string(), Serdes.string()).partitions(3).build();
        courier.provision(in, out);
        Publisher<String, String> inputs = courier.publisher(in, PublisherOptions.builder()
                .guarantee(DeliveryGuarantee.EXACTLY_ONCE).build());
        inputs.inTransaction(p -> {
            for (int i = 0; i < 300; i++) {
                p.publish("k" + (i % 10), "in-" + i);
            }
        });
        try (Subscriber transform = courier.subscriber(in, SubscriberOptions.builder("eos-group")
                        .guarantee(DeliveryGuarantee.EXACTLY_ONCE).fromBeginning(true).build(),
                Handlers.<String, String>all((msg, ctx) -> ctx.publish(out, msg.key(), msg.value().replace("in", "out"))))
                .start()) {
            List<ConsumerRecord<String, String>> outputs = readAll("eos-out", 300);
            assertThat(outputs).extracting(ConsumerRecord::value).doesNotHaveDuplicates()
                    .contains("out-0", "out-150", "out-299");
            assertThat(transform.isRunning()).isTrue();
        }
        // The consumed offsets went into the transactions: the group has committed every input, up to the commit
        // marker that ends each partition (the inputs were written in one transaction).
        Map<TopicPartition, Long> committed = new HashMap<>();
        courier.admin().listConsumerGroupOffsets("eos-group").partitionsToOffsetAndMetadata().get()
                .forEach((tp, o) -> committed.put(tp, o.offset()));
        Map<TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> latest = new HashMap<>();
        committed.keySet().forEach(tp -> latest.put(tp, org.apache.kafka.clients.admin.OffsetSpec.latest()));
        Map<TopicPartition, Long> ends = new HashMap<>();
        courier.admin().listOffsets(latest).all().get().forEach((tp, info) -> ends.put(tp, info.offset() - 1));
        assertThat(committed).hasSize(3).isEqualTo(ends);
    }

    @Test
    void atMostOncePublishesAndHandles() {
        Topic<String, String> topic = Topic.builder("amo", Serdes.string(), Serdes.string()).partitions(2).build();
        courier.provision(topic);
        List<String> handled = new CopyOnWriteArrayList<>();
        try (Subscriber subscriber = courier.subscriber(topic, SubscriberOptions.builder("amo-group")
                        .guarantee(DeliveryGuarantee.AT_MOST_ONCE).build(),
                Handlers.<String, String>all((msg, ctx) -> handled.add(msg.value()))).start()
                .awaitAssignment(Duration.ofSeconds(60))) {
            Publisher<String, String> publisher = courier.publisher(topic, PublisherOptions.builder()
                    .guarantee(DeliveryGuarantee.AT_MOST_ONCE).build());
            for (int i = 0; i < 50; i++) {
                publisher.publish("k" + i, "v" + i);
            }
            publisher.flush();
            // acks=0 may lose on a broker failure; with none injected, every message arrives once.
            await().atMost(Duration.ofSeconds(60)).until(() -> handled.size() >= 50);
            assertThat(handled).hasSize(50).doesNotHaveDuplicates();
            assertThat(subscriber.isRunning()).isTrue();
        }
    }

    /** The other tests run the default, classic protocol; KIP-848's needs a 4.0 broker and says so. */
    @Test
    void theConsumerGroupProtocolFailsFastWithAHintToUseClassic() {
        Topic<String, String> topic = Topic.builder("kip848", Serdes.string(), Serdes.string()).partitions(1).build();
        courier.provision(topic);
        try (Subscriber subscriber = courier.subscriber(topic, SubscriberOptions.builder("kip848-group")
                        .groupProtocol(GroupProtocol.CONSUMER).build(),
                Handlers.<String, String>all((msg, ctx) -> {})).start()) {
            CourierException e = assertThrows(CourierException.class,
                    () -> subscriber.awaitAssignment(Duration.ofMinutes(2)));
            assertThat(e.getMessage()).startsWith("subscriber 'kip848-group' of topic 'kip848' stopped before it got "
                    + "partitions: org.apache.kafka.common.errors.UnsupportedVersionException")
                    .endsWith("(GroupProtocol.CONSUMER, KIP-848, needs Kafka 4.0 or newer brokers: use "
                            + "GroupProtocol.CLASSIC with this cluster)");
            assertThat(subscriber.isRunning()).isFalse();
        }
    }

    /** Reads {@code count} records of {@code topic}, read_committed, from the beginning, or fails after a minute. */
    static List<ConsumerRecord<String, String>> readAll(String topic, int count) {
        Properties p = new Properties();
        p.put("bootstrap.servers", broker.bootstrapServers());
        p.put("isolation.level", "read_committed");
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p, new StringDeserializer(),
                new StringDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
            while (records.size() < count && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
            // A little longer: a duplicate would arrive right behind the last expected record.
            consumer.poll(Duration.ofSeconds(1)).forEach(records::add);
        }
        assertThat(records).as("records read from %s", topic).hasSize(count);
        return records;
    }
}
