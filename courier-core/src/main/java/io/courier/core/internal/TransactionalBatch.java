package io.courier.core.internal;

import io.courier.common.CourierException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Exactly-once for one polled batch: every follow-up message, every dead letter and the consumed offsets go into
 * one Kafka transaction. A failing handler, or output the broker refuses, aborts the transaction and the batch is
 * polled again, the partition of the record at fault after the backoff, so the output of earlier attempts is never
 * visible; after the last attempt the message goes to the dead-letter topic inside the transaction. One consumer
 * thread only.
 */
final class TransactionalBatch<K, V> {
    private static final Logger LOG = LoggerFactory.getLogger(TransactionalBatch.class);
    /** Tries of a commit or abort that times out. */
    private static final int COMMIT_TRIES = 3;

    private final SubscriberWorker<K, V> worker;
    private final Consumer<byte[], byte[]> consumer;
    private final Producer<byte[], byte[]> producer;
    private final Attempts attempts;

    TransactionalBatch(SubscriberWorker<K, V> worker, Consumer<byte[], byte[]> consumer,
            Producer<byte[], byte[]> producer, Attempts attempts) {
        this.worker = worker;
        this.consumer = consumer;
        this.producer = producer;
        this.attempts = attempts;
    }

    /** When to poll which partitions again after an aborted batch; no partition: the whole batch's. */
    private record Retry(Duration after, TopicPartition partition) {}

    void process(ConsumerRecords<byte[], byte[]> records) {
        producer.beginTransaction();
        Duration retryAfter = null;
        Retry retry;
        List<SubscriberWorker.Done> done = new ArrayList<>(); // reported once committed
        Outputs pending = new Outputs();
        ConsumerRecord<byte[], byte[]> current = null; // the record whose handler is running
        try {
            for (ConsumerRecord<byte[], byte[]> r : records) {
                current = r;
                retryAfter = worker.attempt(r, pending);
                if (retryAfter != null) {
                    break;
                }
                done.add(worker.done(r, pending.size()));
            }
            if (retryAfter == null) {
                current = null;
                producer.sendOffsetsToTransaction(OffsetCommits.nextOffsets(records), consumer.groupMetadata());
                commit();
                // Only now: an aborted batch is handled again, and its dead letters sent again.
                for (SubscriberWorker.Done d : done) {
                    attempts.done(d.record());
                    worker.settled(d);
                }
                return;
            }
            retry = new Retry(retryAfter, new TopicPartition(current.topic(), current.partition()));
        } catch (InterruptException e) {
            if (worker.stopping()) {
                // close(timeout) interrupted a send or the commit: Kafka allows no abort after an interrupted commit,
                // and the producer's close aborts what is open. Not the records' fault; they come again.
                Thread.interrupted();
                throw new SubscriberWorker.Stopped();
            }
            Thread.interrupted(); // the handler's own interrupt: the abort below must still reach the broker
            retry = blame(done, pending, current, e);
            LOG.warn("{}: transaction interrupted and aborted; the batch is consumed again ({} in {} ms): {}",
                    worker.name, retry.partition() == null ? "all of it" : retry.partition(),
                    retry.after().toMillis(), e.toString());
        } catch (ProducerFencedException | InvalidProducerEpochException e) {
            // The broker aborted the transaction (it outlived its timeout) or another producer took the id. This
            // producer can neither abort nor commit: the worker replaces it and consumes the batch again.
            throw e;
        } catch (KafkaException e) {
            retry = blame(done, pending, current, e);
            LOG.warn("{}: transaction failed and is aborted; the batch is consumed again ({} in {} ms): {}",
                    worker.name, retry.partition() == null ? "all of it" : retry.partition(),
                    retry.after().toMillis(), e.toString());
        }
        abort();
        rewind(consumer, records);
        // Only the partition at fault waits: the others' records go into the next transaction at once, so that one
        // record that keeps failing (a dead letter the topic refuses, say) does not hold up the thread's partitions.
        worker.retryLater(retry.partition() == null ? records.partitions() : List.of(retry.partition()),
                retry.after());
    }

    private void abort() {
        retryingTimeouts(producer::abortTransaction, "aborting the transaction");
    }

    private void commit() {
        retryingTimeouts(producer::commitTransaction, "the transaction's commit (its outcome is unknown)");
    }

    /**
     * Kafka lets a transactional call that timed out be retried, and allows nothing else meanwhile. After
     * {@link #COMMIT_TRIES} timeouts the consumer stops, with an exception that is not a KafkaException so that
     * nothing tries to abort; the broker aborts the transaction on its own timeout.
     */
    private void retryingTimeouts(Runnable call, String what) {
        for (int i = 1; ; i++) {
            try {
                call.run();
                return;
            } catch (TimeoutException e) {
                if (i == COMMIT_TRIES) {
                    throw new CourierException(worker.name + ": " + what + " timed out " + i + " times; this consumer "
                            + "stops and its partitions go to other group members", e);
                }
            }
        }
    }

    /**
     * Counts a failed attempt for the record whose output was refused first (the sends queued behind it fail with
     * the same error); with enough of them it goes to the dead-letter topic instead of looping.
     *
     * @return the wait before the batch is consumed again, and the partition that waits (null: all of them)
     */
    private Retry blame(List<SubscriberWorker.Done> done, Outputs pending, ConsumerRecord<byte[], byte[]> current,
            KafkaException error) {
        try {
            producer.flush(); // the transaction may fail before the refused send's own callback has run
        } catch (KafkaException e) {
            // the sends still complete, with this error or their own
        }
        int first = pending.firstFailure();
        for (SubscriberWorker.Done d : done) {
            if (first >= 0 && first < d.outputEnd()) {
                Throwable cause = cause(pending.get(first));
                ConsumerRecord<byte[], byte[]> r = d.record();
                int count = attempts.refused(r, cause);
                worker.attemptFailed(r, d.outcome(), count, cause);
                LOG.error("{}: the output of {}-{}@{} was refused (attempt {} failed): {}", worker.name,
                        r.topic(), r.partition(), r.offset(), count, cause.toString());
                return new Retry(AtLeastOnceBatch.longer(worker.backoff(count), AtLeastOnceBatch.OUTPUT_BACKOFF),
                        new TopicPartition(r.topic(), r.partition()));
            }
        }
        if (current != null) { // no output was refused, yet its handler ran into a Kafka error: its attempt failed
            int count = attempts.fail(current, error);
            worker.attemptFailed(current, SubscriberWorker.UNMEASURED, count, error);
            return new Retry(AtLeastOnceBatch.longer(worker.backoff(count), AtLeastOnceBatch.OUTPUT_BACKOFF),
                    new TopicPartition(current.topic(), current.partition()));
        }
        return new Retry(AtLeastOnceBatch.OUTPUT_BACKOFF, null); // the broker refused the transaction itself
    }

    private static Throwable cause(CompletableFuture<?> f) {
        try {
            f.join();
            return new IllegalStateException("completed normally");
        } catch (CompletionException | CancellationException e) {
            return e.getCause() == null ? e : e.getCause();
        }
    }

    /** Seeks each partition of the batch back to its first record, so that the next poll delivers the batch again. */
    static void rewind(Consumer<byte[], byte[]> consumer, ConsumerRecords<byte[], byte[]> records) {
        for (TopicPartition tp : records.partitions()) {
            consumer.seek(tp, new OffsetAndMetadata(records.records(tp).get(0).offset()));
        }
    }
}
