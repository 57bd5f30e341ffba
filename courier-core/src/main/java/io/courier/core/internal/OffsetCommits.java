package io.courier.core.internal;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A subscriber thread's offset commits, outside transactions: the offsets whose commit failed are kept and committed
 * with the next commit, or on revocation while the partitions are still this consumer's. One consumer thread only.
 */
final class OffsetCommits {
    private static final Logger LOG = LoggerFactory.getLogger(OffsetCommits.class);

    private final String name;
    private final Consumer<byte[], byte[]> consumer;
    /** Offsets whose commit failed, committed with the next commit or on revocation. */
    private final Map<TopicPartition, OffsetAndMetadata> uncommitted = new HashMap<>();

    OffsetCommits(String name, Consumer<byte[], byte[]> consumer) {
        this.name = name;
        this.consumer = consumer;
    }

    /** @return the offset after each partition's last record in the batch */
    static Map<TopicPartition, OffsetAndMetadata> nextOffsets(ConsumerRecords<byte[], byte[]> records) {
        Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>();
        for (TopicPartition tp : records.partitions()) {
            List<ConsumerRecord<byte[], byte[]>> list = records.records(tp);
            next.put(tp, new OffsetAndMetadata(list.get(list.size() - 1).offset() + 1));
        }
        return next;
    }

    /**
     * Commits {@code offsets} and any earlier ones whose commit failed. A failed commit is not fatal: the group moved
     * on (this consumer was evicted or a rebalance is under way) or the coordinator is unavailable; the messages
     * are handled again by whoever owns their partition next, or committed with this consumer's next commit.
     *
     * @return whether everything was committed
     */
    boolean commit(Map<TopicPartition, OffsetAndMetadata> offsets) {
        uncommitted.putAll(offsets);
        if (uncommitted.isEmpty()) {
            return true;
        }
        for (int attempt = 1; attempt <= 2; attempt++) {
            try {
                consumer.commitSync(uncommitted);
                uncommitted.clear();
                return true;
            } catch (WakeupException e) {
                // close() woke the consumer; a wakeup cancels one call only, so try again.
            } catch (CommitFailedException | RebalanceInProgressException | RetriableException e) {
                LOG.warn("{}: could not commit {}; those messages may be handled again: {}", name, uncommitted,
                        e.toString());
                return false;
            }
        }
        return false;
    }

    /**
     * Commits the offsets after a poll that is not handled yet (at-most-once). If that fails, the poll is consumed
     * again, so these offsets are dropped, and what was pending for their partitions before (an at-most-once
     * retry's commit back to its record) is kept, to be committed with the next commit.
     *
     * @return whether everything was committed
     */
    boolean commitAhead(Map<TopicPartition, OffsetAndMetadata> offsets) {
        Map<TopicPartition, OffsetAndMetadata> before = new HashMap<>(uncommitted);
        if (commit(offsets)) {
            return true;
        }
        for (TopicPartition tp : offsets.keySet()) {
            OffsetAndMetadata earlier = before.get(tp);
            if (earlier == null) {
                uncommitted.remove(tp);
            } else {
                uncommitted.put(tp, earlier);
            }
        }
        return false;
    }

    /** Commits what an earlier commit left, if anything; for the end of the thread. */
    void commitLeftovers() {
        if (!uncommitted.isEmpty()) {
            commit(Map.of());
        }
    }

    /** @return the offsets still to commit, for a log line */
    String pending() {
        return uncommitted.toString();
    }

    /** Forgets the offsets of these partitions: the records come again instead of being committed. */
    void forget(Collection<TopicPartition> partitions) {
        uncommitted.keySet().removeAll(partitions);
    }

    /** The partitions are being revoked: commits what is left for them while they are still this consumer's. */
    void revoked(Collection<TopicPartition> partitions) {
        if (partitions.stream().anyMatch(uncommitted::containsKey)) {
            commit(Map.of());
        }
        forget(partitions); // another member takes over from what was committed
    }
}
