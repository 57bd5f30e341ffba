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
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Three instances share the partitions; one is closed abruptly mid-stream; the others take over; nothing is lost. */
@EmbeddedKafka
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class GroupFailoverIT {
    private static final Logger LOG = LoggerFactory.getLogger(GroupFailoverIT.class);
    private static final int MESSAGES = 20_000;

    /** With either group protocol: the classic one, and KIP-848's, where the broker assigns the partitions. */
    @ParameterizedTest
    @EnumSource(GroupProtocol.class)
    void survivingInstancesTakeOverThePartitionsAndEveryAcknowledgedMessageIsHandled(GroupProtocol protocol,
            EmbeddedKafkaCluster cluster) throws Exception {
        String name = "shared-work-" + protocol.name().toLowerCase(java.util.Locale.ROOT);
        Topic<String, String> topic = Topic.builder(name, Serdes.string(), Serdes.string()).partitions(6).build();
        Map<Integer, AtomicInteger> handledCount = new ConcurrentHashMap<>();
        Set<Integer> acked = ConcurrentHashMap.newKeySet();
        try (Courier courier = Courier.connect(CourierConfig.builder(cluster.bootstrapServers()).build())) {
            courier.provision(topic);
            List<Subscriber> instances = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                instances.add(courier.subscriber(topic, SubscriberOptions.builder("workers-" + name)
                        .groupProtocol(protocol).maxPollRecords(50).build(),
                        Handlers.all((m, c) -> {
                            handledCount.computeIfAbsent(Integer.parseInt(m.value()), k -> new AtomicInteger()).incrementAndGet();
                            Thread.sleep(0, 200_000); // some work, so the stream is still flowing at the fault
                        })).start());
            }
            try {
                await().atMost(Duration.ofSeconds(90)).until(() -> instances.stream().allMatch(s -> !s.assignedPartitions().isEmpty()));
                Subscriber victim = instances.get(0);
                Set<TopicPartition> victimPartitions = victim.assignedPartitions();
                int handledAtFault;
                try (Publisher<String, String> publisher = courier.publisher(topic)) {
                    for (int i = 0; i < MESSAGES; i++) {
                        int seq = i;
                        publisher.publish("key-" + (i % 500), Integer.toString(i)).thenRun(() -> acked.add(seq));
                        if (i == MESSAGES / 2) {
                            publisher.flush();
                            await().atMost(Duration.ofSeconds(60)).until(() -> handledCount.size() >= MESSAGES / 4);
                            handledAtFault = handledCount.size();
                            victim.close(Duration.ZERO); // abrupt: no time to finish in-flight work
                            LOG.info("closed one instance abruptly holding {} after {} messages were handled",
                                    victimPartitions, handledAtFault);
                        }
                    }
                    publisher.flush();
                }
                List<Subscriber> survivors = instances.subList(1, 3);
                await().atMost(Duration.ofSeconds(90)).until(() -> {
                    Set<TopicPartition> all = new HashSet<>();
                    survivors.forEach(s -> all.addAll(s.assignedPartitions()));
                    return all.size() == 6;
                });
                await().atMost(Duration.ofMinutes(2)).until(() -> handledCount.keySet().containsAll(acked));
            } finally {
                instances.forEach(Subscriber::close);
            }
        }
        Set<Integer> lost = new TreeSet<>(acked);
        lost.removeAll(handledCount.keySet());
        long duplicates = handledCount.values().stream().mapToInt(c -> c.get() - 1).sum();
        LOG.info("{}: acked {}, handled {} distinct, {} duplicates (redelivered after the abrupt close), {} lost",
                protocol, acked.size(), handledCount.size(), duplicates, lost.size());
        assertThat(acked).hasSize(MESSAGES);
        assertThat(lost).as("acknowledged but never handled").isEmpty();
    }
}
