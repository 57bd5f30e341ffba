package io.courier.core.internal;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Failed attempts by record, kept while the record is consumed again after a rewind: a failing record is retried by
 * seeking back to it and polling again, so its count must outlive the poll that delivered it. Entries go when the
 * record is done or its partition leaves this consumer. One consumer thread only.
 */
final class Attempts {
    /**
     * @param count        failed attempts so far
     * @param last         the error of the last one
     * @param deadLettered whether it was sent to the dead-letter topic: later rounds only resend the dead letter
     * @param refusals     rounds whose dead letter the broker refused: they lengthen the backoff, not the count
     */
    record Failed(int count, Throwable last, boolean deadLettered, int refusals) {}

    private static final Failed NONE = new Failed(0, null, false, 0);

    private final Map<TopicPartition, Map<Long, Failed>> byPartition = new HashMap<>();

    /** @return the record's failed attempts so far; count 0 and no error if none */
    Failed of(ConsumerRecord<?, ?> r) {
        Map<Long, Failed> p = byPartition.get(partition(r));
        Failed f = p == null ? null : p.get(r.offset());
        return f == null ? NONE : f;
    }

    /** Counts one more failed attempt. @return the count including this one */
    int fail(ConsumerRecord<?, ?> r, Throwable error) {
        Failed before = of(r);
        int count = before.count() + 1;
        byPartition.computeIfAbsent(partition(r), tp -> new HashMap<>())
                .put(r.offset(), new Failed(count, error, before.deadLettered(), before.refusals()));
        return count;
    }

    /** The record was sent to the dead-letter topic: if that send is refused, the next round sends it again. */
    void deadLettered(ConsumerRecord<?, ?> r, Throwable error) {
        Failed before = of(r);
        byPartition.computeIfAbsent(partition(r), tp -> new HashMap<>())
                .put(r.offset(), new Failed(before.count(), before.last() == null ? error : before.last(), true,
                        before.refusals()));
    }

    /**
     * A round whose output the broker refused. A refused follow-up is one more failed attempt, and its error the
     * last. A refused dead letter is neither: the dead letter should name why the record failed and how often its
     * handler ran, not why or how often its dead letter was refused.
     *
     * @return the rounds that failed so far, attempts and refused dead letters, for the backoff
     */
    int refused(ConsumerRecord<?, ?> r, Throwable error) {
        Failed before = of(r);
        if (!before.deadLettered()) {
            return fail(r, error);
        }
        byPartition.computeIfAbsent(partition(r), tp -> new HashMap<>()).put(r.offset(),
                new Failed(before.count(), before.last(), true, before.refusals() + 1));
        return before.count() + before.refusals() + 1;
    }

    /** The record was handled or dead-lettered, and its output acknowledged. */
    void done(ConsumerRecord<?, ?> r) {
        TopicPartition tp = partition(r);
        Map<Long, Failed> p = byPartition.get(tp);
        if (p != null && p.remove(r.offset()) != null && p.isEmpty()) {
            byPartition.remove(tp);
        }
    }

    /** The partitions went to another consumer, which counts afresh. */
    void forget(Collection<TopicPartition> partitions) {
        partitions.forEach(byPartition::remove);
    }

    boolean isEmpty() {
        return byPartition.isEmpty();
    }

    private static TopicPartition partition(ConsumerRecord<?, ?> r) {
        return new TopicPartition(r.topic(), r.partition());
    }
}
