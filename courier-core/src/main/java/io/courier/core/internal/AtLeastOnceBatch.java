package io.courier.core.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * At-least-once (and at-most-once) for one polled batch. A record is committed only once it was handled or
 * dead-lettered and every message it caused was acknowledged. A record that must be retried, or whose output was
 * refused, is not: its partition is rewound to it and paused for the backoff, so the consumer keeps polling its
 * other partitions between attempts and later records of that partition wait, keeping its order. One consumer
 * thread only.
 */
final class AtLeastOnceBatch {
    private static final Logger LOG = LoggerFactory.getLogger(AtLeastOnceBatch.class);
    /** The least wait after refused output: the broker or the record is at fault, and retrying at once spins. */
    static final Duration OUTPUT_BACKOFF = Duration.ofMillis(500);

    private final SubscriberWorker<?, ?> worker;
    private final Consumer<byte[], byte[]> consumer;
    private final Producer<byte[], byte[]> producer;
    private final Attempts attempts;

    AtLeastOnceBatch(SubscriberWorker<?, ?> worker, Consumer<byte[], byte[]> consumer, Producer<byte[], byte[]> producer,
            Attempts attempts) {
        this.worker = worker;
        this.consumer = consumer;
        this.producer = producer;
        this.attempts = attempts;
    }

    /**
     * @param commit whether to commit what was done (at-least-once); at-most-once committed before handling and
     *               never hands a record over again because its output failed
     */
    void process(ConsumerRecords<byte[], byte[]> records, boolean commit) {
        List<SubscriberWorker.Done> done = new ArrayList<>();
        Outputs pending = new Outputs();
        Map<TopicPartition, Long> rewind = new HashMap<>();
        Map<TopicPartition, Duration> waits = new HashMap<>(); // each rewound partition's own backoff
        try {
            for (ConsumerRecord<byte[], byte[]> r : records) {
                TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                if (rewind.containsKey(tp)) {
                    continue; // an earlier record of this partition waits for its retry: keep the order
                }
                int before = pending.size();
                Duration backoff = worker.attempt(r, pending);
                if (backoff == null) {
                    done.add(worker.done(r, pending.size()));
                } else {
                    pending.truncate(before); // the failed attempt's output: the record comes again, and with it its output
                    rewind.put(tp, r.offset());
                    waits.put(tp, backoff);
                }
            }
        } finally {
            // Also when stopping mid-batch: what is done and acknowledged is committed, the rest comes again.
            settle(done, pending, rewind, waits, commit);
        }
        waits.forEach((tp, wait) -> worker.retryLater(List.of(tp), wait));
    }

    /**
     * Waits for the output, commits the done records before the first failure per partition, rewinds the rest, and
     * adds the wait of each partition rewound for refused output to {@code waits}.
     */
    private void settle(List<SubscriberWorker.Done> done, List<CompletableFuture<?>> pending,
            Map<TopicPartition, Long> rewind, Map<TopicPartition, Duration> waits, boolean commit) {
        if (!commit) {
            for (SubscriberWorker.Done d : done) {
                attempts.done(d.record());
                worker.settled(d);
            }
            rewind.forEach(consumer::seek);
            // At-most-once committed the whole poll before handling it: moved back to the record to retry, the
            // commit leaves it and the records behind it to whoever polls the partition next, should this consumer
            // close or lose the partition before the retry, instead of losing them.
            Map<TopicPartition, OffsetAndMetadata> back = new HashMap<>();
            rewind.forEach((tp, offset) -> back.put(tp, new OffsetAndMetadata(offset)));
            worker.commit(back);
            return;
        }
        if (!pending.isEmpty()) {
            producer.flush(); // lingering for more records while we wait for these only adds latency
        }
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        List<SubscriberWorker.Done> settled = new ArrayList<>(); // the records committed below
        int from = 0;
        for (SubscriberWorker.Done d : done) {
            ConsumerRecord<byte[], byte[]> r = d.record();
            TopicPartition tp = new TopicPartition(r.topic(), r.partition());
            Throwable refused = firstFailure(pending, from, d.outputEnd());
            from = d.outputEnd();
            Long rewindTo = rewind.get(tp);
            if (rewindTo != null && r.offset() > rewindTo) {
                continue; // after a record that comes again: so does this one
            }
            if (refused != null) {
                int count = attempts.refused(r, refused);
                worker.attemptFailed(r, d.outcome(), count, refused);
                LOG.error("{}: the output of {}-{}@{} was not acknowledged, so it is consumed again (attempt {} "
                        + "failed): {}", worker.name, r.topic(), r.partition(), r.offset(), count, refused.toString());
                rewind.put(tp, r.offset());
                waits.merge(tp, longer(worker.backoff(count), OUTPUT_BACKOFF), AtLeastOnceBatch::longer);
                continue;
            }
            attempts.done(r);
            offsets.put(tp, new OffsetAndMetadata(r.offset() + 1));
            settled.add(d);
        }
        worker.commit(offsets);
        // Counted whether or not this commit went through: handled, their output acknowledged. (Consumed again, as
        // at least once allows, they count again, as handled again.)
        settled.forEach(worker::settled);
        rewind.forEach(consumer::seek);
    }

    private static Throwable firstFailure(List<CompletableFuture<?>> pending, int from, int to) {
        for (int i = from; i < to; i++) {
            try {
                pending.get(i).join(); // complete after flush(): the producer calls back before flush returns
            } catch (CompletionException | CancellationException e) {
                return e.getCause() == null ? e : e.getCause();
            }
        }
        return null;
    }

    static Duration longer(Duration a, Duration b) {
        return a == null ? b : b == null || a.compareTo(b) >= 0 ? a : b;
    }
}
