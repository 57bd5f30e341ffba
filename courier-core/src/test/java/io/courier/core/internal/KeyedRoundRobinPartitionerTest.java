package io.courier.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;

class KeyedRoundRobinPartitionerTest {
    private final Node node = new Node(0, "localhost", 9092);
    private final Cluster cluster = new Cluster("c", List.of(node), IntStream.range(0, 4)
            .mapToObj(p -> new PartitionInfo("t", p, node, new Node[] {node}, new Node[] {node})).toList(),
            Set.of(), Set.of());
    private final KeyedRoundRobinPartitioner partitioner = new KeyedRoundRobinPartitioner();

    @Test
    void keylessMessagesVisitEveryPartitionInTurn() {
        List<Integer> chosen = IntStream.range(0, 8).mapToObj(i -> partitioner.partition("t", null, null, "v", null, cluster)).toList();
        assertThat(chosen.subList(0, 4)).containsExactlyInAnyOrder(0, 1, 2, 3);
        assertThat(chosen.subList(4, 8)).containsExactlyElementsOf(chosen.subList(0, 4));
    }

    @Test
    void keyedMessagesGoWhereKafkasDefaultPartitionerSendsThem() {
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 100; i++) {
            byte[] key = ("key-" + i).getBytes(StandardCharsets.UTF_8);
            int p = partitioner.partition("t", "key-" + i, key, "v", null, cluster);
            assertThat(p).isEqualTo(Utils.toPositive(Utils.murmur2(key)) % 4);
            assertThat(partitioner.partition("t", "key-" + i, key, "v", null, cluster)).isEqualTo(p);
            seen.add(p);
        }
        assertThat(seen).hasSize(4);
    }
}
