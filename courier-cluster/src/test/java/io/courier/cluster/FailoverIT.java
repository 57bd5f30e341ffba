package io.courier.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.courier.cluster.junit.EmbeddedKafka;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Three forked nodes, a topic with RF 3 and min.insync.replicas 2: the partition leader goes away while an
 * idempotent acks=all producer is sending, and every acknowledged record must be in the log exactly once.
 */
@EmbeddedKafka(nodes = 3, forkedNodes = true,
        brokerProperties = {"broker.session.timeout.ms=3000", "broker.heartbeat.interval.ms=500"})
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class FailoverIT {
    private static final Logger LOG = LoggerFactory.getLogger(FailoverIT.class);
    private static final int RECORDS = 50_000;
    private static final int FAULT_AT = 10_000;
    /** Paced so that the fault lands mid-stream rather than after the producer has drained. */
    private static final int RECORDS_PER_MILLI = 3;

    @Test
    void aTopicCreatedWithoutAReplicationFactorGetsThreeReplicas(EmbeddedKafkaCluster cluster) throws Exception {
        try (Admin admin = Admin.create(cluster.clientProperties())) {
            admin.createTopics(List.of(new NewTopic("default-rf", Optional.of(2), Optional.empty()))).all()
                    .get(30, TimeUnit.SECONDS);
            // A node restarted by an earlier test may not know the new topic yet, and answers a describe with
            // UnknownTopicOrPartition until its metadata catches up.
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
                TopicDescription d = admin.describeTopics(List.of("default-rf")).allTopicNames()
                        .get(30, TimeUnit.SECONDS).get("default-rf");
                assertThat(d.partitions()).allSatisfy(p -> assertThat(p.replicas()).hasSize(3));
            });
        }
    }

    @Test
    void keepsEveryAcknowledgedRecordExactlyOnceWhenTheLeaderShutsDown(EmbeddedKafkaCluster cluster) throws Exception {
        runThroughFault(cluster, "failover-controlled", cluster::stopNode);
    }

    @Test
    void keepsEveryAcknowledgedRecordExactlyOnceWhenTheLeaderCrashes(EmbeddedKafkaCluster cluster) throws Exception {
        runThroughFault(cluster, "failover-crash", cluster::crashNode);
    }

    private void runThroughFault(EmbeddedKafkaCluster cluster, String topic, IntConsumer fault) throws Exception {
        cluster.createTopic(topic, 1, 3, Map.of("min.insync.replicas", "2"));
        int leader = cluster.leaderOf(topic, 0, Duration.ofSeconds(30));
        Set<Integer> acked = ConcurrentHashMap.newKeySet();
        AtomicInteger failed = new AtomicInteger();
        CompletableFuture<Integer> ackedWhenFaultDone = null;
        try {
            Map<String, Object> config = Records.producerConfig(cluster.clientProperties());
            config.put("linger.ms", "5");
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(config)) {
                long start = System.nanoTime();
                for (int i = 0; i < RECORDS; i++) {
                    if (i == FAULT_AT) {
                        ackedWhenFaultDone = CompletableFuture.supplyAsync(() -> {
                            fault.accept(leader);
                            return acked.size();
                        });
                    }
                    int seq = i;
                    producer.send(new ProducerRecord<>(topic, Integer.toString(seq)), (metadata, error) -> {
                        if (error == null) {
                            acked.add(seq);
                        } else {
                            failed.incrementAndGet();
                        }
                    });
                    pace(start, i);
                }
                producer.flush();
            }
            int ackedAtFault = ackedWhenFaultDone.get(2, TimeUnit.MINUTES);

            int newLeader = cluster.leaderOf(topic, 0, Duration.ofSeconds(30));
            Map<Integer, Integer> seen = new HashMap<>();
            for (ConsumerRecord<String, String> r : Records.readAll(Records.consumerConfig(cluster.clientProperties()),
                    topic, Duration.ofMinutes(1))) {
                seen.merge(Integer.parseInt(r.value()), 1, Integer::sum);
            }
            long duplicates = seen.values().stream().mapToInt(c -> c - 1).sum();
            Set<Integer> lost = new java.util.TreeSet<>(acked);
            lost.removeAll(seen.keySet());
            LOG.info("{}: leader {} -> {}, acked {} (at fault {}), failed {}, consumed {} distinct, {} duplicates, {} lost",
                    topic, leader, newLeader, acked.size(), ackedAtFault, failed.get(), seen.size(), duplicates, lost.size());

            assertThat(ackedAtFault).as("acknowledged records when the fault completed: the fault was mid-stream")
                    .isLessThan(RECORDS);
            assertThat(newLeader).as("a new leader took over").isNotEqualTo(leader);
            assertThat(failed.get()).as("sends that failed: the producer's retries carry them to the new leader").isZero();
            assertThat(acked).as("every record was acknowledged in the end").hasSize(RECORDS);
            assertThat(lost).as("acknowledged but not consumed").isEmpty();
            assertThat(duplicates).as("duplicates in the log").isZero();
        } finally {
            if (!cluster.isRunning(leader)) {
                cluster.restartNode(leader);
            }
        }
    }

    private static void pace(long startNanos, int sent) throws InterruptedException {
        long due = startNanos + TimeUnit.MILLISECONDS.toNanos(sent / RECORDS_PER_MILLI);
        long wait = due - System.nanoTime();
        if (wait > 1_000_000) {
            TimeUnit.NANOSECONDS.sleep(wait);
        }
    }
}
