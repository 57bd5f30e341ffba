package io.courier.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.courier.cluster.EmbeddedKafkaCluster;
import io.courier.cluster.junit.EmbeddedKafka;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** 8 partitions, 3 subscriber instances with 2 threads each, 100,000 keyed messages: per-key order holds. */
@EmbeddedKafka
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class OrderingIT {
    private static final int MESSAGES = 100_000;
    private static final int KEYS = 1_000;

    @Test
    void eachKeysMessagesArriveInPublishOrderAcrossInstancesAndThreads(EmbeddedKafkaCluster cluster) {
        Topic<String, String> topic = Topic.builder("ordered", Serdes.string(), Serdes.string()).partitions(8).build();
        Map<String, List<Integer>> seen = new ConcurrentHashMap<>();
        Map<String, Set<String>> threadsPerKey = new ConcurrentHashMap<>();
        AtomicInteger handled = new AtomicInteger();
        try (Courier courier = Courier.connect(CourierConfig.builder(cluster.bootstrapServers()).build())) {
            courier.provision(topic);
            List<Subscriber> instances = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    instances.add(courier.subscriber(topic, SubscriberOptions.builder("ordering").concurrency(2).build(),
                            Handlers.all((m, c) -> {
                                String key = m.key();
                                int seq = Integer.parseInt(m.value());
                                seen.computeIfAbsent(key, k -> new ArrayList<>());
                                synchronized (seen.get(key)) {
                                    seen.get(key).add(seq);
                                }
                                threadsPerKey.computeIfAbsent(key, k -> ConcurrentHashMap.newKeySet())
                                        .add(Thread.currentThread().getName());
                                handled.incrementAndGet();
                            })).start());
                }
                // Publish only once the group is stable, so that no rebalance redelivers anything.
                await().atMost(Duration.ofSeconds(90)).until(() -> {
                    Set<TopicPartition> all = new HashSet<>();
                    int total = 0;
                    for (Subscriber s : instances) {
                        Set<TopicPartition> mine = s.assignedPartitions();
                        total += mine.size();
                        all.addAll(mine);
                    }
                    return all.size() == 8 && total == 8 && instances.stream().allMatch(s -> !s.assignedPartitions().isEmpty())
                            && everyMemberOwnsAPartition(courier.admin(), "ordering", 6);
                });
                try (Publisher<String, String> publisher = courier.publisher(topic,
                        PublisherOptions.builder().linger(Duration.ofMillis(10)).batchSize(64 * 1024).build())) {
                    for (int i = 0; i < MESSAGES; i++) {
                        publisher.publish("key-" + (i % KEYS), Integer.toString(i));
                    }
                    publisher.flush();
                }
                await().atMost(Duration.ofMinutes(3)).until(() -> handled.get() >= MESSAGES);
            } finally {
                instances.forEach(Subscriber::close);
            }
        }
        assertThat(handled.get()).isEqualTo(MESSAGES);
        assertThat(seen).hasSize(KEYS);
        seen.forEach((key, seqs) -> {
            int k = Integer.parseInt(key.substring(4));
            List<Integer> expected = new ArrayList<>();
            for (int i = k; i < MESSAGES; i += KEYS) {
                expected.add(i);
            }
            assertThat(seqs).as("messages of %s in publish order", key).containsExactlyElementsOf(expected);
        });
        assertThat(threadsPerKey.values()).as("one key is handled by one thread").allSatisfy(t -> assertThat(t).hasSize(1));
        assertThat(threadsPerKey.values().stream().flatMap(Set::stream).distinct().count())
                .as("the work was spread over the 6 threads").isEqualTo(6);
    }

    /** The group is stable with all its members, each owning a partition: no rebalance is still to come. */
    private static boolean everyMemberOwnsAPartition(Admin admin, String group, int members) throws Exception {
        ConsumerGroupDescription d = admin.describeConsumerGroups(List.of(group)).all().get(30, TimeUnit.SECONDS).get(group);
        return d.groupState() == GroupState.STABLE && d.members().size() == members
                && d.members().stream().allMatch(m -> !m.assignment().topicPartitions().isEmpty());
    }
}
