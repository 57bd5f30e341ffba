package io.courier.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.courier.cluster.junit.EmbeddedKafka;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@EmbeddedKafka
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class SingleNodeClusterIT {
    /** The cluster the outer class's constructor got, to compare with what a nested class gets. */
    private final EmbeddedKafkaCluster outer;

    SingleNodeClusterIT(EmbeddedKafkaCluster cluster) {
        this.outer = cluster;
    }

    @Nested
    class ANestedClass {
        @Test
        void getsTheOuterClassesClusterInsteadOfStartingItsOwn(EmbeddedKafkaCluster cluster) {
            assertThat(cluster).isSameAs(outer);
            assertThat(cluster.isRunning(0)).isTrue();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"classic", "consumer"})
    void roundTripsKeyedRecordsInOrderWithEitherGroupProtocol(String groupProtocol, EmbeddedKafkaCluster cluster)
            throws Exception {
        String topic = "round-trip-" + groupProtocol;
        cluster.createTopic(topic, 3, 1);
        List<String> sent = new ArrayList<>();
        try (KafkaProducer<String, String> producer =
                new KafkaProducer<>(Records.producerConfig(cluster.clientProperties()))) {
            for (int i = 0; i < 300; i++) {
                String key = "key-" + (i % 7);
                String value = key + ":" + i;
                producer.send(new ProducerRecord<>(topic, key, value)).get();
                sent.add(value);
            }
        }

        Map<String, Object> config = Records.consumerConfig(cluster.clientProperties());
        config.put("group.id", "round-trip-" + groupProtocol);
        config.put("group.protocol", groupProtocol);
        List<ConsumerRecord<String, String>> received = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config)) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (received.size() < sent.size() && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(received::add);
            }
            consumer.commitSync();
            assertThat(consumer.groupMetadata().groupId()).isEqualTo("round-trip-" + groupProtocol);
        }

        assertThat(received).extracting(ConsumerRecord::value).containsExactlyInAnyOrderElementsOf(sent);
        for (int k = 0; k < 7; k++) {
            String key = "key-" + k;
            List<String> perKey = received.stream().filter(r -> r.key().equals(key)).map(ConsumerRecord::value).toList();
            assertThat(perKey).as("order of %s", key)
                    .containsExactlyElementsOf(sent.stream().filter(v -> v.startsWith(key + ":")).toList());
        }
    }

    @Test
    void readCommittedConsumerSeesCommittedRecordsAndNoAbortedOnes(EmbeddedKafkaCluster cluster) {
        String topic = "transactions";
        cluster.createTopic(topic, 1, 1);
        Map<String, Object> config = Records.producerConfig(cluster.clientProperties());
        config.put("transactional.id", "courier-cluster-it");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(config)) {
            producer.initTransactions();
            producer.beginTransaction();
            IntStream.range(0, 10).forEach(i -> producer.send(new ProducerRecord<>(topic, "aborted-" + i)));
            producer.flush();
            producer.abortTransaction();
            producer.beginTransaction();
            IntStream.range(0, 10).forEach(i -> producer.send(new ProducerRecord<>(topic, "committed-" + i)));
            producer.commitTransaction();
        }

        Map<String, Object> readCommitted = Records.consumerConfig(cluster.clientProperties());
        readCommitted.put("isolation.level", "read_committed");
        Map<String, Object> readUncommitted = new HashMap<>(readCommitted);
        readUncommitted.put("isolation.level", "read_uncommitted");

        assertThat(Records.readAll(readCommitted, topic, Duration.ofSeconds(30)))
                .extracting(ConsumerRecord::value)
                .containsExactlyElementsOf(IntStream.range(0, 10).mapToObj(i -> "committed-" + i).toList());
        // The aborted records really are in the log: only the isolation level hides them.
        assertThat(Records.readAll(readUncommitted, topic, Duration.ofSeconds(30)))
                .extracting(ConsumerRecord::value)
                .hasSize(20)
                .contains("aborted-0", "aborted-9");
    }

    @Test
    void rejectsAReplicationFactorAboveTheBrokerCount(EmbeddedKafkaCluster cluster) {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> cluster.createTopic("orders-rf3", 1, 3));
        assertThat(e).hasMessage("replication factor 3 for topic 'orders-rf3' cannot be met: the cluster has 1 "
                + "running broker(s), so the replication factor must be between 1 and 1");
        assertThat(cluster.admin().listTopics().names()).succeedsWithin(Duration.ofSeconds(30))
                .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.collection(String.class))
                .doesNotContain("orders-rf3");
    }

    @Test
    void rejectsAnIllegalTopicName(EmbeddedKafkaCluster cluster) {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> cluster.createTopic("orders placed!", 1, 1));
        assertThat(e.getMessage()).startsWith("illegal topic name 'orders placed!': ")
                .contains("ASCII alphanumerics, '.', '_' and '-'");
    }

    @Test
    void rejectsCreatingATopicThatExistsWithKafkasReason(EmbeddedKafkaCluster cluster) {
        cluster.createTopic("twice", 1, 1);
        io.courier.common.CourierException e =
                assertThrows(io.courier.common.CourierException.class, () -> cluster.createTopic("twice", 1, 1));
        assertThat(e).hasMessageStartingWith("cannot create topic 'twice': ").hasMessageContaining("already exists");
    }

    @Test
    void refusesToCrashANodeThatRunsInThisJvmAndLeavesItRunning(EmbeddedKafkaCluster cluster) throws Exception {
        int node = cluster.nodeIds().get(0);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> cluster.crashNode(node));
        assertThat(e).hasMessage("node " + node + " runs inside this JVM, so it cannot be crashed; start the cluster "
                + "with ClusterOptions.builder().forkedNodes(true) to crash nodes");
        assertThat(cluster.isRunning(node)).isTrue();
        assertThat(cluster.admin().describeCluster().nodes().get(30, TimeUnit.SECONDS)).hasSize(1);
    }
}
