package io.courier.core.internal;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.Partitioner;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.utils.Utils;

/**
 * Round-robin for messages without a key, and Kafka's murmur2 hash for messages with one. Kafka's own
 * {@code RoundRobinPartitioner} ignores keys, which would break per-key order.
 */
public final class KeyedRoundRobinPartitioner implements Partitioner {
    private final Map<String, AtomicInteger> counters = new ConcurrentHashMap<>();

    @Override
    public int partition(String topic, Object key, byte[] keyBytes, Object value, byte[] valueBytes, Cluster cluster) {
        int partitions = cluster.partitionsForTopic(topic).size();
        if (keyBytes != null) {
            return Utils.toPositive(Utils.murmur2(keyBytes)) % partitions;
        }
        int next = Utils.toPositive(counters.computeIfAbsent(topic, t -> new AtomicInteger()).getAndIncrement());
        java.util.List<PartitionInfo> available = cluster.availablePartitionsForTopic(topic);
        return available.isEmpty() ? next % partitions : available.get(next % available.size()).partition();
    }

    @Override
    public void close() {}

    @Override
    public void configure(Map<String, ?> configs) {}
}
