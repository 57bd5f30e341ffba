package io.courier.core.internal;

import io.courier.common.CourierException;
import io.courier.common.JvmErrors;
import io.courier.core.CourierConfig;
import io.courier.core.DeliveryGuarantee;
import io.courier.core.GroupProtocol;
import io.courier.core.Message;
import io.courier.core.MessageHandler;
import io.courier.core.SubscriberOptions;
import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One consumer thread of a subscriber: poll, handle, commit as the guarantee requires. Exactly-once batches go
 * through {@link TransactionalBatch}, the other two through {@link AtLeastOnceBatch}; both retry a record by
 * rewinding its partition, so the consumer polls between attempts.
 */
final class SubscriberWorker<K, V> implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(SubscriberWorker.class);
    private static final Duration POLL = Duration.ofMillis(200);
    private static final int MAX_RENEWALS = 3;

    final String name;
    private final String topicName;
    private final SubscriberOptions options;
    private final CourierConfig config;
    private final RecordHandler<K, V> handler;
    private final Consumer<byte[], byte[]> consumer;
    /** Replaced when the broker fences it (see {@link #renewed}); used by this worker's thread only. */
    private Producer<byte[], byte[]> producer;
    private final Supplier<Producer<byte[], byte[]>> newProducer;
    /** Timed-out transactions since the last batch that was not: more than {@link #MAX_RENEWALS} stop the thread. */
    private int renewals;
    /** How long the broker lets a transaction run before it aborts it; zero without transactions. */
    private final Duration transactionTimeout;
    private final String deadLetterTopic;
    private final Set<TopicPartition> assigned = ConcurrentHashMap.newKeySet();
    private final Attempts attempts = new Attempts();
    private final OffsetCommits commits;
    private final PartitionBackoffs backoffs;
    final CountDownLatch firstAssignment = new CountDownLatch(1);
    private volatile boolean stopping;
    /** Set by close(timeout) before it interrupts this thread: whatever the handler then throws is not its fault. */
    private volatile boolean interruptedByClose;
    /** Guards the marking and interrupt by close(timeout) against the switch to the next record. */
    private final Object closeLock = new Object();
    /**
     * Under at-most-once, the record being attempted, or the last one; and the one that was when close(timeout)
     * interrupted (null: none).
     */
    private volatile ConsumerRecord<byte[], byte[]> current;
    private volatile ConsumerRecord<byte[], byte[]> interruptedRecord;
    /** Why the thread stopped on its own, for {@link DefaultSubscriber#awaitAssignment}. */
    private volatile Throwable failure;
    private final io.courier.core.CourierMetrics metrics;
    /**
     * How the last {@link #attempt} that returned null ended, for its batch to report once the record is settled:
     * the handler's nanoseconds, {@link #DEAD_LETTERED}, or {@link #UNMEASURED}.
     */
    private long outcome = UNMEASURED;
    /** An outcome: the record went to the dead-letter topic, counted once that is acknowledged (and committed). */
    static final long DEAD_LETTERED = -1;
    /** An outcome with nothing to report (lost to close, or a dead letter that at-most-once counts on its own). */
    static final long UNMEASURED = -2;

    SubscriberWorker(String name, String topicName, SubscriberOptions options, CourierConfig config,
            RecordHandler<K, V> handler, Consumer<byte[], byte[]> consumer, Supplier<Producer<byte[], byte[]>> newProducer,
            String deadLetterTopic) {
        this.name = name;
        this.topicName = topicName;
        this.options = options;
        this.config = config;
        this.handler = handler;
        this.consumer = consumer;
        this.newProducer = newProducer;
        this.producer = newProducer.get();
        this.transactionTimeout = options.guarantee() != DeliveryGuarantee.EXACTLY_ONCE ? Duration.ZERO
                : Duration.ofMillis(Long.parseLong(String.valueOf(ClientConfigs.subscriberProducer(config, topicName,
                        options, options.instanceId(), 0).get("transaction.timeout.ms")).trim()));
        this.deadLetterTopic = deadLetterTopic;
        this.metrics = GuardedMetrics.of(config.metrics());
        this.commits = new OffsetCommits(name, consumer);
        this.backoffs = new PartitionBackoffs(consumer, System::nanoTime);
    }

    Set<TopicPartition> assigned() {
        return Set.copyOf(assigned);
    }

    void stop() {
        stopping = true;
    }

    /**
     * Called by close(timeout) once its wait is over: marks this worker, then interrupts its thread, in one step
     * against {@link #attempt}'s switch to the next record, so that the interrupt lands on the record it marks.
     */
    void interruptForClose(Thread thread) {
        synchronized (closeLock) {
            interruptedRecord = current;
            interruptedByClose = true;
            thread.interrupt();
        }
    }

    /** @return the error that stopped this worker on its own, or null while it runs or after a requested stop */
    Throwable failure() {
        return failure;
    }

    /** @return what to tell the user about {@link #failure()}: the error, and what to change when that is known */
    String failureHint() {
        Throwable e = failure;
        if (e instanceof UnsupportedVersionException
                && options.groupProtocol() == GroupProtocol.CONSUMER) {
            return e + " (GroupProtocol.CONSUMER, KIP-848, needs Kafka 4.0 or newer brokers: use GroupProtocol.CLASSIC"
                    + " with this cluster)";
        }
        return String.valueOf(e);
    }

    /** Unblocks a poll so that the thread notices {@link #stop()} at once. */
    void wakeup() {
        consumer.wakeup();
    }

    @Override
    public void run() {
        TransactionalBatch<K, V> tx = options.guarantee() == DeliveryGuarantee.EXACTLY_ONCE
                ? new TransactionalBatch<>(this, consumer, producer, attempts) : null;
        AtLeastOnceBatch plain = tx == null ? new AtLeastOnceBatch(this, consumer, producer, attempts) : null;
        try {
            if (tx != null) {
                producer.initTransactions();
            }
            consumer.subscribe(List.of(topicName), new Listener());
            while (!stopping) {
                backoffs.resumeDue();
                ConsumerRecords<byte[], byte[]> records = consumer.poll(backoffs.pollTimeout(POLL));
                if (records.isEmpty()) {
                    continue;
                }
                switch (options.guarantee()) {
                    case AT_MOST_ONCE -> {
                        Map<TopicPartition, OffsetAndMetadata> next = OffsetCommits.nextOffsets(records);
                        if (commits.commitAhead(next)) {
                            plain.process(records, false);
                        } else { // handling now could hand these over twice: consume them again instead
                            records.partitions().forEach(tp -> consumer.seek(tp, records.records(tp).get(0).offset()));
                            // A rebalance refuses commits until it is over, and polling is what lets it finish.
                            retryLater(records.partitions(), AtLeastOnceBatch.OUTPUT_BACKOFF);
                        }
                    }
                    case AT_LEAST_ONCE -> plain.process(records, true);
                    case EXACTLY_ONCE -> tx = transactional(tx, records);
                }
            }
        } catch (WakeupException | InterruptException | Stopped e) {
            Thread.interrupted(); // clear the flag so that the final commit and close can talk to the broker
            if (!stopping) { // no close() asked for it: say so, instead of ending unnoticed
                failure = new CourierException(name + " was interrupted though its subscriber was not closed", e);
                LOG.error("{} stopped: interrupted, though the subscriber was not closed; its uncommitted messages "
                        + "go to other group members", name, e);
            }
        } catch (RuntimeException | Error e) {
            failure = e;
            LOG.error("{} stopped after an unexpected error; its uncommitted messages go to other group members: {}",
                    name, e.toString(), e);
            if (e instanceof Error error) {
                throw error; // after the finally below: the JVM's own handling of an Error stays as it was
            }
        } finally {
            // An interrupt that landed late (close marks, then interrupts) would fail the final commit and force the
            // producer's close, leaving an open transaction to its timeout.
            Thread.interrupted();
            try {
                commits.commitLeftovers();
            } catch (RuntimeException e) { // fenced, unauthorized...: whoever owns the partitions next redelivers
                LOG.warn("{}: the final commit of {} failed; those messages may be handled again: {}", name,
                        commits.pending(), e.toString());
            } finally {
                closeQuietly();
            }
        }
    }

    /**
     * One attempt at a record: decode it, find its handler, run it. A record that cannot be decoded, has no handler,
     * fails for good, or used up its attempts (also on output that was refused) goes to the dead-letter topic.
     *
     * @return null when the record is done (handled or dead-lettered), else the backoff before the next attempt
     */
    Duration attempt(ConsumerRecord<byte[], byte[]> r, List<CompletableFuture<?>> pending) {
        synchronized (closeLock) { // close's interrupt, once marked, has landed; a later one lands on this record
            if (interruptedByClose && options.guarantee() != DeliveryGuarantee.AT_MOST_ONCE) {
                // close(timeout) gave up waiting: start nothing more; what is done gets committed, the rest comes
                // again. (At-most-once committed these records before handling them: skipping them would lose them.)
                Thread.interrupted();
                throw new Stopped();
            }
            if (options.guarantee() == DeliveryGuarantee.AT_MOST_ONCE) {
                current = r; // only at-most-once goes on after close(timeout) interrupted
            }
            if (interruptedByClose && interruptedRecord != r) {
                // At-most-once goes on with the poll it committed: an interrupt that hit no record, or an earlier
                // one, is nobody's business here.
                Thread.interrupted();
            }
        }
        outcome = UNMEASURED;
        Attempts.Failed before = attempts.of(r);
        if (before.deadLettered() || before.count() >= options.retry().maxAttempts()) {
            deadLetter(r, before.last(), before.count(), pending); // its output was refused in earlier rounds
            return null;
        }
        Message<K, V> message;
        MessageHandler<K, V> h;
        try {
            message = handler.decode(r);
            h = handler.handlerFor(message);
        } catch (Throwable e) { // a serde's errors too, all but the JVM's own
            JvmErrors.rethrowIfJvms(e);
            if (lostToClose(r, e)) {
                return null;
            }
            clearForeignInterrupt(); // a serde interrupted by close(timeout) is not the record's fault either
            deadLetter(r, e, attempts.fail(r, e), pending); // no retry can change the bytes or the handlers
            return null;
        }
        long start = System.nanoTime();
        int outputBefore = pending.size();
        try {
            handler.run(h, message, before.count() + 1, producer, pending, closeState(r));
            // Handled: an interrupt now, from close(timeout) or the handler's own, must not fail its commit.
            Thread.interrupted();
            outcome = System.nanoTime() - start; // reported once the record is settled: its output may be refused
            return null;
        } catch (InterruptedException e) {
            if (stopping && options.guarantee() != DeliveryGuarantee.AT_MOST_ONCE) {
                // Closing: whoever interrupted (close(timeout) itself, or a handler that stops for the close), the
                // record is not done; it stays uncommitted for the partition's next owner.
                Thread.interrupted();
                throw new Stopped();
            }
            // Unless close() interrupted (failed() checks), the handler's own business: a cancelled task it waited
            // for. A failed attempt, as for any exception, instead of an unnoticed end of this thread.
            return failed(r, e, message, pending, outputBefore);
        } catch (RecordHandler.SendRefused e) {
            if (options.guarantee() == DeliveryGuarantee.EXACTLY_ONCE) {
                clearForeignInterrupt(); // the batch aborts next, which an interrupt flag would fail
                // The producer refused a send, whatever the handler made of it: its transaction failed, most likely
                // for another record's output. The batch decides whom to blame; this record did nothing wrong yet.
                throw e.refusal();
            }
            return failed(r, e.handlerError(), message, pending, outputBefore);
        } catch (Throwable e) {
            // The errors of handler code too (a missing class, a failed assert, a recursion): thrown out of here one
            // would end this thread, and the record, consumed again by the next owner, would end that one too.
            // The JVM's own errors (OutOfMemoryError) still stop the thread.
            JvmErrors.rethrowIfJvms(e);
            return failed(r, e, message, pending, outputBefore);
        }
    }

    private Duration failed(ConsumerRecord<byte[], byte[]> r, Throwable e, Message<K, V> message,
            List<CompletableFuture<?>> pending, int outputBefore) {
        if (lostToClose(r, e)) {
            return null;
        }
        clearForeignInterrupt();
        int failed = attempts.fail(r, e);
        metrics.handlerFailed(topicName, options.groupId(), failed);
        if (failed >= options.retry().maxAttempts() || !options.retry().isRetriable(e)) {
            if (options.guarantee() == DeliveryGuarantee.EXACTLY_ONCE && pending.size() > outputBefore) {
                // What the failed attempt published is in the open transaction: committing the dead letter would
                // commit that too. Abort this round instead; the next one sends only the dead letter.
                attempts.deadLettered(r, e);
                return Duration.ZERO;
            }
            deadLetter(r, e, failed, pending);
            return null;
        }
        LOG.debug("{}: attempt {} of {} failed: {}", name, failed, message.coordinates(), e.toString());
        return options.retry().backoff(failed);
    }

    /** What the handler of {@code r} learns of this worker's close, read when it asks. */
    private RecordHandler.CloseState closeState(ConsumerRecord<byte[], byte[]> r) {
        return new RecordHandler.CloseState() {
            @Override
            public boolean closing() {
                return stopping;
            }

            @Override
            public boolean interruptedByClose() {
                // At-most-once handles the rest of its committed poll after the interrupt: only one record had it.
                return interruptedByClose
                        && (options.guarantee() != DeliveryGuarantee.AT_MOST_ONCE || interruptedRecord == r);
            }
        };
    }

    /**
     * Under at-most-once, the record whose handler or serde close(timeout) interrupted, whatever it then threw: not
     * its fault, so neither a failed attempt nor a dead letter; and at-most-once committed it and may not hand it to
     * anyone again, whose handler might then run twice: it is lost, as in a crash. A later record's failure is its
     * own.
     *
     * @return whether the record was given up
     */
    private boolean lostToClose(ConsumerRecord<byte[], byte[]> r, Throwable e) {
        if (!interruptedByClose || options.guarantee() != DeliveryGuarantee.AT_MOST_ONCE || interruptedRecord != r) {
            return false;
        }
        Thread.interrupted();
        LOG.warn("{}: {}-{}@{} was interrupted by close(timeout) and is not handled again (AT_MOST_ONCE): {}", name,
                r.topic(), r.partition(), r.offset(), e.toString());
        return true;
    }

    /**
     * After the handler ran: an interrupt from close(timeout) unwinds this worker, whatever the handler made of it
     * (a wrapped exception, a restored flag), and is never counted against the message. Any other interrupt is the
     * handler's own, and its flag is cleared, or the next poll, flush or sleep would end this thread.
     *
     * @throws Stopped if close(timeout) interrupted this thread
     */
    private void clearForeignInterrupt() {
        // At-most-once committed the poll before handling it: once the interrupt itself is dealt with, its other
        // records are handled (and a failed one dead-lettered) rather than dropped.
        boolean atMostOnce = options.guarantee() == DeliveryGuarantee.AT_MOST_ONCE;
        if (stopping && !atMostOnce && (interruptedByClose || Thread.currentThread().isInterrupted())) {
            Thread.interrupted(); // the final commit and close still talk to the broker
            throw new Stopped();
        }
        if (Thread.interrupted()) {
            LOG.debug("{}: cleared an interrupt that the handler left set; only close() stops this thread", name);
        }
    }

    /**
     * A record that an {@link #attempt} saw through (handled or dead-lettered), not yet settled.
     *
     * @param record    the record
     * @param outputEnd the size of the batch's pending sends after its attempt: its output ends there
     * @param outcome   how the attempt ended: see {@link #outcome}
     */
    record Done(ConsumerRecord<byte[], byte[]> record, int outputEnd, long outcome) {}

    /** @return {@code r}, which the last attempt saw through, with where its output ends and how it ended */
    Done done(ConsumerRecord<byte[], byte[]> r, int outputEnd) {
        return new Done(r, outputEnd, outcome);
    }

    /**
     * Reports what the attempt of {@code d} did, now that the record is settled: committed (or, at most once,
     * handled), its output acknowledged.
     */
    void settled(Done d) {
        if (d.outcome() >= 0) {
            metrics.handled(d.record().topic(), options.groupId(), d.outcome());
        } else if (d.outcome() == DEAD_LETTERED) {
            metrics.deadLettered(d.record().topic(), options.groupId());
        }
    }

    /**
     * Reports the attempt of {@code r} that ended in {@code outcome} as failed after it returned: its output was
     * refused ({@code cause}), or its transaction failed. A refused dead letter is a failed publish to the
     * dead-letter topic instead: counted here under exactly-once, whose aborts also fail dead letters that nobody
     * refused, and by the send's callback under the other guarantees.
     */
    void attemptFailed(ConsumerRecord<byte[], byte[]> r, long outcome, int attempt, Throwable cause) {
        if (outcome != DEAD_LETTERED) {
            metrics.handlerFailed(r.topic(), options.groupId(), attempt);
        } else if (options.guarantee() == DeliveryGuarantee.EXACTLY_ONCE) {
            metrics.publishFailed(deadLetterTopic, cause);
        }
    }

    Duration backoff(int failedAttempts) {
        return options.retry().backoff(failedAttempts);
    }

    /**
     * Polls {@code partitions} again only after {@code backoff}; they were rewound to the record to retry. The thread
     * meanwhile polls and handles its other partitions, instead of sleeping through the backoff.
     */
    void retryLater(Collection<TopicPartition> partitions, Duration backoff) {
        backoffs.pause(partitions, backoff);
    }

    void deadLetter(ConsumerRecord<byte[], byte[]> r, Throwable error, int attempts, List<CompletableFuture<?>> pending) {
        LOG.warn("{}: {}-{}@{} goes to dead-letter topic '{}' after {} attempt(s): {}", name, r.topic(),
                r.partition(), r.offset(), deadLetterTopic, attempts, error.toString());
        this.attempts.deadLettered(r, error);
        // Counted once settled (acknowledged, and committed): a refused one is sent again, an aborted one too. At most
        // once settles before the dead letter is acknowledged, so it counts the acknowledgement itself.
        boolean atMostOnce = options.guarantee() == DeliveryGuarantee.AT_MOST_ONCE;
        outcome = atMostOnce ? UNMEASURED : DEAD_LETTERED;
        CompletableFuture<Object> sent = new CompletableFuture<>();
        try {
            producer.send(DeadLetterWriter.record(deadLetterTopic, options.groupId(), r, error, attempts), (md, e) -> {
                if (e == null) {
                    sent.complete(md);
                    if (atMostOnce) {
                        metrics.deadLettered(r.topic(), options.groupId());
                    }
                } else {
                    refusedDeadLetter(r, e);
                    sent.completeExceptionally(e);
                }
            });
        } catch (KafkaException e) { // refused before it was queued: settled like a refused acknowledgement
            refusedDeadLetter(r, e);
            sent.completeExceptionally(e);
        }
        pending.add(sent);
    }

    /**
     * Counts a refused dead letter as a failed publish to the dead-letter topic (but for exactly-once, whose aborts
     * fail dead letters too: {@link #attemptFailed} counts there). The other guarantees consume the
     * record again, and log that; at-most-once committed it before handling it, so the record is gone: say so,
     * instead of the "goes to" line alone.
     */
    private void refusedDeadLetter(ConsumerRecord<byte[], byte[]> r, Exception e) {
        if (options.guarantee() != DeliveryGuarantee.EXACTLY_ONCE) { // exactly-once: see attemptFailed
            metrics.publishFailed(deadLetterTopic, e); // a partition stuck on its dead letter shows in no other metric
        }
        if (options.guarantee() == DeliveryGuarantee.AT_MOST_ONCE) {
            LOG.error("{}: the dead letter of {}-{}@{} was refused by topic '{}', and AT_MOST_ONCE does not consume "
                    + "the record again: it is lost: {}", name, r.topic(), r.partition(), r.offset(), deadLetterTopic,
                    e.toString());
        }
    }

    boolean stopping() {
        return stopping;
    }

    /** Commits {@code offsets} and any earlier ones whose commit failed; see {@link OffsetCommits#commit}. */
    boolean commit(Map<TopicPartition, OffsetAndMetadata> offsets) {
        return commits.commit(offsets);
    }

    /**
     * Runs one transactional batch. A transaction that outlived transaction.timeout.ms is aborted by the broker, which
     * fences its producer: Kafka's remedy is a new producer with the same id, and the batch is consumed again
     * (nothing of the aborted transaction is visible). A fencing that comes sooner means another producer took the
     * transactional id (another instance with this instanceId): this one is a zombie and stops, as Kafka intends.
     *
     * @return the batch runner for the next batch: the same, or one with a new producer
     * @throws CourierException after {@link #MAX_RENEWALS} timed-out transactions in a row
     */
    private TransactionalBatch<K, V> transactional(TransactionalBatch<K, V> tx, ConsumerRecords<byte[], byte[]> records) {
        long start = System.nanoTime();
        try {
            tx.process(records);
            renewals = 0;
            return tx;
        } catch (ProducerFencedException | InvalidProducerEpochException e) {
            if (System.nanoTime() - start < transactionTimeout.toNanos()) {
                throw e;
            }
            TransactionalBatch.rewind(consumer, records);
            return renewed(e);
        }
    }

    private TransactionalBatch<K, V> renewed(KafkaException fenced) {
        if (++renewals > MAX_RENEWALS) {
            throw new CourierException(name + ": " + renewals + " transactions in a row outlived transaction.timeout.ms="
                    + transactionTimeout.toMillis() + " and were aborted by the broker; raise it, or give handlers less "
                    + "work per poll with maxPollRecords", fenced);
        }
        LOG.warn("{}: the broker aborted a transaction older than transaction.timeout.ms={} and fenced its producer "
                + "({}); the batch is consumed again with a new one", name, transactionTimeout.toMillis(),
                fenced.toString());
        try {
            producer.close(Duration.ZERO);
        } catch (KafkaException e) {
            LOG.debug("{}: closing the fenced producer failed: {}", name, e.toString());
        }
        producer = newProducer.get();
        producer.initTransactions();
        return new TransactionalBatch<>(this, consumer, producer, attempts);
    }

    /** Closes the clients of a worker whose thread never ran. */
    void closeUnstarted() {
        closeQuietly();
    }

    private void closeQuietly() {
        try {
            consumer.close(CloseOptions.timeout(Duration.ofSeconds(10)));
        } catch (KafkaException e) {
            LOG.warn("{}: consumer close failed: {}", name, e.toString());
        }
        try {
            producer.close(Duration.ofSeconds(10));
        } catch (KafkaException e) {
            LOG.warn("{}: producer close failed: {}", name, e.toString());
        }
        assigned.clear();
    }

    /** Thrown to unwind a worker that was interrupted by {@code close}. */
    static final class Stopped extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Stopped() {
            super(null, null, false, false);
        }
    }

    private final class Listener implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            // Every batch is committed before the next poll, and callbacks run only inside poll or close; what is
            // left is a commit that failed, retried here while the partitions are still ours.
            commits.revoked(partitions);
            attempts.forget(partitions);
            backoffs.forget(partitions);
            assigned.removeAll(new HashSet<>(partitions));
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            assigned.addAll(partitions);
            firstAssignment.countDown();
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            commits.forget(partitions);
            attempts.forget(partitions);
            backoffs.forget(partitions);
            assigned.removeAll(new HashSet<>(partitions));
        }
    }
}
