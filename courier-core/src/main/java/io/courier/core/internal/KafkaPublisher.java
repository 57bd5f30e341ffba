package io.courier.core.internal;

import static io.courier.common.Preconditions.requireArgument;
import static io.courier.common.Preconditions.requireState;

import io.courier.common.CourierException;
import io.courier.common.Durations;
import io.courier.core.CourierConfig;
import io.courier.core.DeliveryGuarantee;
import io.courier.core.OutboundMessage;
import io.courier.core.PublishResult;
import io.courier.core.Publisher;
import io.courier.core.Topic;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InterruptException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The {@link Publisher} over one {@code KafkaProducer}. */
final class KafkaPublisher<K, V> implements Publisher<K, V> {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaPublisher.class);
    private final Topic<K, V> topic;
    private final CourierConfig config;
    private final DeliveryGuarantee guarantee;
    private final Producer<byte[], byte[]> producer;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** One transaction at a time; held by the thread inside {@link #inTransaction}, and by close(). */
    private final ReentrantLock transaction = new ReentrantLock();
    /**
     * A commit or abort whose end Kafka did not report (it timed out, or was interrupted): Kafka allows only that
     * same call next, which waits for the first one's result. Guarded by {@link #transaction}.
     */
    private Ending unresolved = Ending.NONE;
    /** The transaction under way, for its own work's calls on this publisher. Guarded by {@link #transaction}. */
    private TransactionView underWay;
    /**
     * The publisher whose future the current thread (its producer's I/O thread) completes while the future's
     * dependent stages run, or null: waiting there for that publisher would stop the producer that is to end the
     * wait.
     */
    private static final ThreadLocal<KafkaPublisher<?, ?>> COMPLETING = new ThreadLocal<>();
    /**
     * How long close() without a timeout waits for a transaction under way: its work is user code, which may wait
     * for something a shutdown stops later; Kafka's own transaction timeout (a minute by default) aborts it anyway.
     */
    private static final Duration TRANSACTION_WAIT = Duration.ofMinutes(1);
    /** Set by close() when it closes the producer under a transaction it could not wait for. */
    private volatile boolean closedUnderTransaction;
    private final boolean timed;
    /** Failures of {@link #send} since the last flush; reported by {@link #flush()} and {@link #close()}. */
    private final AtomicLong unacknowledged = new AtomicLong();
    private final AtomicReference<CourierException> firstFailure = new AtomicReference<>();
    private final io.courier.core.CourierMetrics metrics;

    KafkaPublisher(Topic<K, V> topic, CourierConfig config, DeliveryGuarantee guarantee, Producer<byte[], byte[]> producer) {
        this.topic = topic;
        this.config = config;
        this.guarantee = guarantee;
        this.producer = producer;
        this.metrics = GuardedMetrics.of(config.metrics());
        this.timed = metrics != io.courier.core.CourierMetrics.NOOP;
        if (guarantee == DeliveryGuarantee.EXACTLY_ONCE) {
            try {
                producer.initTransactions();
            } catch (RuntimeException e) {
                producer.close(Duration.ZERO);
                throw e instanceof KafkaException ? new CourierException("cannot start the transactional publisher of "
                        + "topic '" + topic.name() + "' at " + config.bootstrapServers() + ": " + e.getMessage(), e) : e;
            }
        }
    }

    @Override
    public Topic<K, V> topic() {
        return topic;
    }

    /**
     * @throws IllegalStateException if closed; not on the thread of a transaction under way, which a close waits
     *     for, so its work may go on publishing through this publisher
     */
    private void requireOpen() {
        requireState(!closed.get() || transaction.isHeldByCurrentThread(), "the publisher of topic '%s' is closed",
                topic.name());
    }

    @Override
    public void send(K key, V value) {
        requireOpen();
        OutgoingRecords.Outgoing out = OutgoingRecords.build(topic, OutboundMessage.of(key, value), config);
        if (guarantee == DeliveryGuarantee.EXACTLY_ONCE) {
            if (transaction.isHeldByCurrentThread()) {
                sendInTransaction(out, underWay);
            } else {
                inTransaction(p -> sendInTransaction(out, underWay));
            }
            return;
        }
        long start = timed ? System.nanoTime() : 0L;
        try {
            producer.send(out.record(), (md, e) -> {
                if (e == null) {
                    if (timed) {
                        metrics.published(topic.name(), System.nanoTime() - start);
                    }
                } else {
                    recordUnacknowledged(key, e);
                }
            });
        } catch (KafkaException | IllegalStateException e) { // refused before queued (interrupted, producer closed)
            recordUnacknowledged(key, e);
        }
    }

    /**
     * A send into the open transaction {@code tx}: a failure fails the transaction, which reports it to the caller;
     * an acknowledgement counts once the transaction's outcome is known.
     */
    private void sendInTransaction(OutgoingRecords.Outgoing out, TransactionView tx) {
        long start = timed ? System.nanoTime() : 0L;
        producer.send(out.record(), (md, e) -> {
            if (e != null) {
                metrics.publishFailed(topic.name(), e);
            } else if (timed) {
                tx.acknowledged(System.nanoTime() - start);
            }
        });
    }

    private void recordUnacknowledged(K key, Exception e) {
        if (unacknowledged.getAndIncrement() == 0) {
            CourierException first = failure(key, e); // not read back: a flush on another thread may take it
            firstFailure.set(first);
            LOG.warn("{}", first.getMessage());
        }
        metrics.publishFailed(topic.name(), e);
    }

    private void throwIfUnacknowledged() {
        long failed = unacknowledged.getAndSet(0);
        if (failed > 0) {
            CourierException first = firstFailure.getAndSet(null);
            throw new CourierException(failed + " message(s) sent to topic '" + topic.name()
                    + "' were not acknowledged; the first: " + (first == null ? "unknown" : first.getMessage()), first);
        }
    }

    @Override
    public CompletableFuture<PublishResult> publish(OutboundMessage<K, V> message) {
        requireOpen();
        OutgoingRecords.Outgoing out = OutgoingRecords.build(topic, message, config);
        if (guarantee == DeliveryGuarantee.EXACTLY_ONCE && !transaction.isHeldByCurrentThread()) {
            CompletableFuture<PublishResult> result = new CompletableFuture<>();
            try {
                inTransaction(p -> send(out, message.key(), underWay).whenComplete((r, e) -> {
                    if (e == null) {
                        result.complete(r);
                    } else {
                        result.completeExceptionally(e);
                    }
                }));
            } catch (CourierException e) { // aborted, or of unknown outcome: the exception says which
                return CompletableFuture.failedFuture(e);
            }
            return result;
        }
        return send(out, message.key(), guarantee == DeliveryGuarantee.EXACTLY_ONCE ? underWay : null);
    }

    /**
     * @param tx the transaction the send goes into, whose outcome decides how its acknowledgement counts; null
     *           without transactions
     */
    private CompletableFuture<PublishResult> send(OutgoingRecords.Outgoing out, K key, TransactionView tx) {
        CompletableFuture<PublishResult> result = new CompletableFuture<>();
        // The callback runs on the producer's single I/O thread: keep it short, and time only when someone listens.
        long start = timed ? System.nanoTime() : 0L;
        try {
            producer.send(out.record(), (RecordMetadata md, Exception e) -> {
                // Metrics first: a caller that has its result sees it counted. The future completes whatever they
                // throw.
                if (e == null) {
                    try {
                        if (timed && tx != null) {
                            tx.acknowledged(System.nanoTime() - start);
                        } else if (timed) {
                            metrics.published(topic.name(), System.nanoTime() - start);
                        }
                    } finally {
                        completing(() -> result.complete(new PublishResult(md.topic(), md.partition(),
                                md.hasOffset() ? md.offset() : -1, Instant.ofEpochMilli(md.timestamp()),
                                out.messageId())));
                    }
                } else {
                    fail(result, key, e);
                }
            });
        } catch (KafkaException | IllegalStateException e) { // refused before queued: interrupted, producer closed
            fail(result, key, e);
        }
        return result;
    }

    private void fail(CompletableFuture<PublishResult> result, K key, Exception e) {
        try {
            metrics.publishFailed(topic.name(), e);
        } finally {
            completing(() -> result.completeExceptionally(failure(key, e)));
        }
    }

    /** Completes a future with {@link #COMPLETING} set while its dependent stages run. */
    private void completing(Runnable completion) {
        KafkaPublisher<?, ?> outer = COMPLETING.get();
        COMPLETING.set(this);
        try {
            completion.run();
        } finally {
            COMPLETING.set(outer);
        }
    }

    /** @throws IllegalStateException if called from a stage of a future this class completes, named {@code what} */
    private void refuseWhileCompleting(String what) {
        requireState(COMPLETING.get() != this, "%s on the publisher of topic '%s' was called from a stage of one of "
                + "its own publish futures, which runs on its producer's I/O thread: waiting there would stop the "
                + "producer that is to end the wait; chain with thenComposeAsync or thenApplyAsync instead", what,
                topic.name());
    }

    private CourierException failure(K key, Exception e) {
        String message = "cannot publish to topic '" + topic.name() + "' (key " + describe(key) + ") at "
                + config.bootstrapServers() + ": " + e.getClass().getSimpleName() + ": " + e.getMessage();
        return Futures.failure(message, e);
    }

    /** A key for messages: a key whose toString() fails must not keep a future from completing. */
    private static String describe(Object key) {
        if (key == null) {
            return "none";
        }
        try {
            return "'" + key + "'";
        } catch (RuntimeException e) {
            return "of type " + key.getClass().getName() + ", whose toString() failed: " + e;
        }
    }

    @Override
    public PublishResult publishAndWait(K key, V value) {
        refuseWhileCompleting("publishAndWait");
        return await(publish(key, value));
    }

    private PublishResult await(CompletableFuture<PublishResult> published) {
        try {
            return published.get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof CourierException ce ? ce : new CourierException(e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CourierException("interrupted while publishing to topic '" + topic.name() + "'", e);
        }
    }

    @Override
    public void inTransaction(Consumer<Publisher<K, V>> work) {
        requireState(guarantee == DeliveryGuarantee.EXACTLY_ONCE,
                "transactions need an EXACTLY_ONCE publisher, but the publisher of topic '%s' is %s", topic.name(), guarantee);
        requireOpen();
        if (transaction.isHeldByCurrentThread()) { // called from its own work: joins, as publish and send do
            underWay.inTransaction(work);
            return;
        }
        refuseWhileCompleting("a transaction");
        transaction.lock();
        try {
            requireState(!closed.get(), "the publisher of topic '%s' is closed", topic.name()); // while we waited
            resolve();
            try {
                producer.beginTransaction();
            } catch (KafkaException | IllegalStateException e) { // fenced, fatally failed, or a commit still unknown
                throw new CourierException("cannot begin a transaction on topic '" + topic.name() + "': "
                        + e.getMessage() + "; close this publisher and create a new one", e);
            }
            TransactionView view = new TransactionView();
            underWay = view;
            try {
                work.accept(view);
                view.end();
            } catch (Throwable e) { // a checked exception thrown sneakily (Kotlin, Lombok) too: it must abort
                view.end();
                abortQuietly(e);
                view.report(e);
                if (e instanceof KafkaException ke) {
                    throw new CourierException("transaction on topic '" + topic.name() + "' failed and was aborted: "
                            + ke.getMessage(), ke);
                }
                throw e;
            }
            commit(view);
        } finally {
            transaction.unlock();
        }
    }

    /**
     * Commits, retrying a commit that timed out: its outcome is unknown, and Kafka then allows no abort. Reports the
     * transaction's acknowledged sends as published once committed, as failed once aborted; of unknown outcome, as
     * neither.
     */
    private void commit(TransactionView view) {
        for (int i = 1; ; i++) {
            try {
                producer.commitTransaction();
                view.report(null);
                return;
            } catch (org.apache.kafka.common.errors.TimeoutException e) {
                if (i == 3) {
                    unresolved = Ending.COMMIT;
                    throw new CourierException("the commit of a transaction on topic '" + topic.name() + "' timed out "
                            + i + " times at " + config.bootstrapServers() + "; its outcome is unknown (the broker "
                            + "aborts it unless a commit arrived); the next transaction first waits for it", e);
                }
            } catch (InterruptException e) {
                // The commit request may be on its way: the transaction can still commit, so "aborted" would lie,
                // and a caller who retried would write the messages twice.
                unresolved = Ending.COMMIT;
                throw new CourierException("interrupted during the commit of a transaction on topic '" + topic.name()
                        + "'; its outcome is unknown (it may still commit); the next transaction first waits for it", e);
            } catch (KafkaException | IllegalStateException e) {
                if (closedUnderTransaction) { // close() cut it off: it may have reached the broker
                    throw new CourierException("the publisher of topic '" + topic.name() + "' was closed during the "
                            + "commit of a transaction; its outcome is unknown (it may still commit)", e);
                }
                abortQuietly(e);
                view.report(e);
                throw new CourierException("transaction on topic '" + topic.name() + "' failed and was aborted: "
                        + e.getMessage(), e);
            }
        }
    }

    /**
     * Aborts, waiting it out even if this thread is interrupted (its flag is restored after): an abort left
     * unfinished would refuse every later transaction until retried. One that still does not end is retried
     * before the next transaction.
     */
    private void abortQuietly(Throwable cause) {
        boolean interrupted = Thread.interrupted();
        try {
            producer.abortTransaction();
        } catch (org.apache.kafka.common.errors.TimeoutException | InterruptException e) {
            unresolved = Ending.ABORT;
            cause.addSuppressed(e);
        } catch (RuntimeException e) {
            // A fenced or fatally failed producer cannot abort; the broker aborts on timeout. Keep the first error.
            cause.addSuppressed(e);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Ends a commit or abort Kafka did not report the end of, as Kafka requires before anything else: the same call
     * again, which waits for the first one's result.
     *
     * @throws io.courier.common.CourierRetriableException if it still does not end; the next transaction tries again
     */
    private void resolve() {
        if (unresolved == Ending.NONE) {
            return;
        }
        Ending ending = unresolved;
        try {
            if (ending == Ending.COMMIT) {
                producer.commitTransaction();
                LOG.warn("the transaction on topic '{}' whose commit had an unknown outcome has committed",
                        topic.name());
            } else {
                producer.abortTransaction();
            }
            unresolved = Ending.NONE;
        } catch (org.apache.kafka.common.errors.TimeoutException | InterruptException e) {
            throw Futures.failure("the " + (ending == Ending.COMMIT ? "commit" : "abort") + " of an earlier "
                    + "transaction on topic '" + topic.name() + "' at " + config.bootstrapServers() + " has not "
                    + "ended yet (" + e + "); no transaction begins before it does: try again, or close this "
                    + "publisher", e);
        } catch (KafkaException e) {
            unresolved = Ending.NONE;
            if (ending == Ending.COMMIT) { // the earlier commit failed after all: its transaction is to be aborted
                LOG.warn("the transaction on topic '{}' whose commit had an unknown outcome did not commit: {}",
                        topic.name(), e.toString());
                abortQuietly(e);
            } else { // a fenced or fatally failed producer: beginTransaction says so next
                LOG.warn("the abort of an earlier transaction on topic '{}' failed: {}", topic.name(), e.toString());
            }
        }
    }

    /** How a transaction ends. */
    private enum Ending { NONE, COMMIT, ABORT }

    @Override
    public void flush() {
        refuseWhileCompleting("flush");
        try {
            producer.flush();
        } catch (InterruptException e) { // the flag stays set, as Kafka leaves it
            throw new CourierException("interrupted while flushing the publisher of topic '" + topic.name() + "'; "
                    + "the messages sent before are still being delivered, and the next flush reports their failures",
                    e);
        }
        throwIfUnacknowledged();
    }

    @Override
    public void close() {
        close(Duration.ofMillis(Long.MAX_VALUE)); // Kafka's own close(): until every send is acknowledged or expired
    }

    @Override
    public void close(Duration timeout) {
        requireArgument(timeout != null && !timeout.isNegative(), "timeout must be zero or more, but was %s", timeout);
        requireState(!transaction.isHeldByCurrentThread(), "the publisher of topic '%s' cannot be closed inside its "
                + "own transaction; close it after inTransaction returns", topic.name());
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        // Kafka's close(Duration) takes whole milliseconds, up to Long.MAX_VALUE of them: its own close() idiom.
        Duration left = timeout.compareTo(NO_BOUND) > 0 ? NO_BOUND : timeout;
        boolean locked = false;
        if (guarantee == DeliveryGuarantee.EXACTLY_ONCE) {
            // A transaction under way ends first: closing under it would abort it, or cut off its commit. Not from
            // a stage on the producer's I/O thread, which the transaction may wait for (Kafka closes at once there).
            long start = System.nanoTime();
            Duration lockWait = COMPLETING.get() != null ? Duration.ZERO
                    : left.compareTo(TRANSACTION_WAIT) > 0 ? TRANSACTION_WAIT : left;
            try {
                locked = transaction.tryLock(Durations.saturatedNanos(lockWait), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // Kafka's close below then closes at once
            }
            closedUnderTransaction = !locked;
            if (COMPLETING.get() != null || locked && unresolved != Ending.NONE) {
                // From an I/O thread, Kafka's close would wait for itself: it closes at once there, and so does this.
                // After an unended commit or abort it would wait without bound: the broker aborts it in time.
                left = Duration.ZERO;
            } else if (!left.equals(NO_BOUND)) {
                left = left.minusNanos(Math.min(System.nanoTime() - start, Durations.saturatedNanos(left)));
            }
        }
        try {
            // Returns once every outstanding send completed: acknowledged, expired, or failed because the timeout
            // cut it off. So the count below is final.
            producer.close(left);
        } catch (InterruptException e) { // closed at once; the flag stays set
            long cut = unacknowledged.getAndSet(0);
            throw new CourierException("interrupted while closing the publisher of topic '" + topic.name() + "': it "
                    + "closed at once" + (cut > 0 ? ", and " + cut + " message(s) sent were not acknowledged" : ""), e);
        } finally {
            if (locked) {
                transaction.unlock();
            }
        }
        throwIfUnacknowledged();
    }

    /** Kafka's close() idiom for waiting without bound. */
    private static final Duration NO_BOUND = Duration.ofMillis(Long.MAX_VALUE);


    /**
     * The publisher that {@link #inTransaction} hands its work: it publishes into the open transaction from any
     * thread (the work may fan out), and refuses once the transaction ended instead of starting another.
     */
    private final class TransactionView implements Publisher<K, V> {
        /** Sends hold it shared from their check to their send, so that end() waits for the ones under way. */
        private final ReentrantReadWriteLock sending = new ReentrantReadWriteLock();
        private boolean open = true; // guarded by sending
        /** Send-to-acknowledgement times of this transaction's sends, counted once its outcome is known. */
        private final java.util.concurrent.ConcurrentLinkedQueue<Long> acknowledged =
                new java.util.concurrent.ConcurrentLinkedQueue<>();

        /** Called on the producer's I/O thread. */
        void acknowledged(long nanos) {
            acknowledged.add(nanos);
        }

        /** Counts the acknowledged sends as published, or, given why the transaction aborted, as failed. */
        void report(Throwable abortedBy) {
            for (Long nanos = acknowledged.poll(); nanos != null; nanos = acknowledged.poll()) {
                if (abortedBy == null) {
                    metrics.published(topic.name(), nanos);
                } else {
                    metrics.publishFailed(topic.name(), abortedBy);
                }
            }
        }

        void end() {
            sending.writeLock().lock();
            try {
                open = false;
            } finally {
                sending.writeLock().unlock();
            }
        }

        /** Runs a send into the transaction, or refuses it once the transaction ended. */
        private <T> T whileOpen(java.util.function.Supplier<T> send) {
            sending.readLock().lock();
            try {
                requireState(open, "the transaction on topic '%s' has ended; publish inside the work given to "
                        + "inTransaction", topic.name());
                return send.get();
            } finally {
                sending.readLock().unlock();
            }
        }

        @Override
        public Topic<K, V> topic() {
            return topic;
        }

        @Override
        public void send(K key, V value) {
            whileOpen(() -> {
                sendInTransaction(OutgoingRecords.build(topic, OutboundMessage.of(key, value), config), this);
                return null;
            });
        }

        @Override
        public CompletableFuture<PublishResult> publish(OutboundMessage<K, V> message) {
            return whileOpen(() -> KafkaPublisher.this.send(OutgoingRecords.build(topic, message, config),
                    message.key(), this));
        }

        @Override
        public PublishResult publishAndWait(K key, V value) {
            refuseWhileCompleting("publishAndWait");
            return await(publish(key, value));
        }

        @Override
        public void inTransaction(Consumer<Publisher<K, V>> work) {
            whileOpen(() -> null);
            work.accept(this); // joins the transaction under way
        }

        @Override
        public void flush() {
            refuseWhileCompleting("flush");
            whileOpen(() -> {
                producer.flush();
                return null;
            });
        }

        @Override
        public void close() {
            close(Duration.ZERO);
        }

        @Override
        public void close(Duration timeout) {
            throw new IllegalStateException("the publisher of topic '" + topic.name() + "' cannot be closed inside "
                    + "its own transaction; close it after inTransaction returns");
        }
    }
}
