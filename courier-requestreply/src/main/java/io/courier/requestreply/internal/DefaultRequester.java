package io.courier.requestreply.internal;

import static io.courier.common.Preconditions.requireArgument;
import static io.courier.common.Preconditions.requireState;

import io.courier.common.CourierException;
import io.courier.common.CourierRetriableException;
import io.courier.common.Durations;
import io.courier.common.JvmErrors;
import io.courier.core.Courier;
import io.courier.core.OutboundMessage;
import io.courier.core.Publisher;
import io.courier.core.Serdes;
import io.courier.core.Topic;
import io.courier.core.internal.EnvelopeCodec;
import io.courier.core.internal.Futures;
import io.courier.core.internal.MessageIds;
import io.courier.requestreply.Endpoint;
import io.courier.requestreply.Gathered;
import io.courier.requestreply.Reply;
import io.courier.requestreply.ReplyHeaders;
import io.courier.requestreply.Requester;
import io.courier.requestreply.RequesterOptions;
import io.courier.requestreply.RequesterStats;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.errors.RetriableException;

/** Publishes requests, routes them to owned reply partitions, matches replies, and expires what is not answered. */
public final class DefaultRequester implements Requester {
    private final Courier courier;
    private final RequesterOptions options;
    private final Clock clock;
    private final ReplyConsumer replies;
    private final ConcurrentHashMap<String, PendingRequest<?>> pending = new ConcurrentHashMap<>();
    private final RecentIds completed = new RecentIds(100_000);
    /** Per request topic, its publisher once set up: callers of one topic wait for one set-up, not for each other's. */
    private final ConcurrentHashMap<PublisherKey, CompletableFuture<Publisher<?, ?>>> publishers = new ConcurrentHashMap<>();
    private final ScheduledThreadPoolExecutor timers;
    private final AtomicInteger next = new AtomicInteger();
    private final LongAdder sent = new LongAdder();
    private final LongAdder succeeded = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final LongAdder timedOut = new LongAdder();
    private final LongAdder late = new LongAdder();
    private final LongAdder unmatched = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private volatile boolean closed;

    private DefaultRequester(Courier courier, RequesterOptions options) {
        this.courier = courier;
        this.options = options;
        this.clock = courier.config().clock();
        this.timers = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "courier-request-timeouts-" + options.replyTopic());
            t.setDaemon(true);
            return t;
        });
        timers.setRemoveOnCancelPolicy(true);
        // close() shuts the timers down without interrupting: it may run on the timer thread itself (a timed-out
        // caller's continuation), whose interrupt would then reach the caller's code after close() returns.
        timers.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.replies = new ReplyConsumer(courier.config(), options, this::dispatch, this::replyThreadStopped);
    }

    /** @see Requester#start */
    public static Requester start(Courier courier, RequesterOptions options) {
        ensureReplyTopic(courier, options);
        DefaultRequester requester = new DefaultRequester(courier, options);
        requester.replies.start();
        try {
            requester.replies.ready().get(options.readyTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            RuntimeException cause = requester.replies.lastError();
            requester.close();
            if (cause != null && !(cause instanceof RetriableException)) {
                // an authorization or configuration error, for instance: say which
                throw new CourierException("requester got no partition of reply topic '" + options.replyTopic()
                        + "' in group '" + options.groupId() + "' within " + Durations.format(options.readyTimeout())
                        + ": reading replies failed with " + cause, cause);
            }
            throw new CourierRetriableException("requester got no partition of reply topic '" + options.replyTopic()
                    + "' in group '" + options.groupId() + "' within " + Durations.format(options.readyTimeout())
                    + ": there may be more requester instances than reply partitions, or the group is still rebalancing"
                    + (cause == null ? "" : " (last error reading replies: " + cause + ")"), cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            requester.close();
            throw new CourierException("interrupted while waiting for reply partitions of '" + options.replyTopic() + "'", e);
        } catch (java.util.concurrent.ExecutionException e) { // the reply thread stopped on an Error
            requester.close();
            throw new CourierException("requester for reply topic '" + options.replyTopic() + "' failed to start: "
                    + "reading replies failed with " + e.getCause(), e.getCause());
        }
        return requester;
    }

    private static void ensureReplyTopic(Courier courier, RequesterOptions options) {
        Set<String> names = Futures.await(courier.admin().listTopics().names(), courier.config().connectTimeout(),
                "list the topics at " + courier.config().bootstrapServers() + " to find reply topic '"
                        + options.replyTopic() + "'");
        if (!names.contains(options.replyTopic())) {
            // Replies are read within seconds; an hour of retention keeps the topic small.
            courier.provision(Topic.builder(options.replyTopic(), Serdes.string(), Serdes.bytes())
                    .partitions(options.replyPartitions()).replicationFactor(options.replicationFactor())
                    .config("retention.ms", "3600000").build());
        }
    }

    @Override
    public <K, Q, R> CompletableFuture<Reply<R>> request(Endpoint<K, Q, R> endpoint, K key, Q payload, Duration timeout) {
        return request(endpoint, OutboundMessage.of(key, payload), timeout);
    }

    @Override
    public <K, Q, R> CompletableFuture<Reply<R>> request(Endpoint<K, Q, R> endpoint, OutboundMessage<K, Q> request,
            Duration timeout) {
        requireTimeout(timeout);
        String id = MessageIds.next();
        PendingRequest.Single<R> p = new PendingRequest.Single<>(endpoint, id, clock.instant().plus(timeout));
        send(endpoint, request, timeout, p);
        return p.future;
    }

    @Override
    public <K, Q, R> CompletableFuture<Gathered<R>> gather(Endpoint<K, Q, R> endpoint, K key, Q payload, int expected,
            Duration timeout) {
        requireTimeout(timeout);
        requireArgument(expected >= 1, "expected must be at least 1, but was %s", expected);
        String id = MessageIds.next();
        PendingRequest.Gather<R> p = new PendingRequest.Gather<>(endpoint, id, clock.instant().plus(timeout), expected);
        send(endpoint, OutboundMessage.of(key, payload), timeout, p);
        return p.future;
    }

    /**
     * @return {@code e}, to fail a caller's future with
     * @throws VirtualMachineError the JVM's own error as it is (out of memory, say), which stops things as usual
     */
    private static Throwable unlessTheJvms(Throwable e) {
        JvmErrors.rethrowIfJvms(e);
        return e;
    }

    /** How long close() lets each publisher send what it still holds. */
    private static final Duration PUBLISHER_CLOSE = Duration.ofSeconds(5);

    /** @throws IllegalArgumentException unless 0 < timeout <= {@link Requester#MAX_TIMEOUT} */
    private static void requireTimeout(Duration timeout) {
        // The upper bound keeps the deadline and the timer's nanoseconds far from overflowing.
        requireArgument(timeout != null && !timeout.isNegative() && !timeout.isZero()
                && timeout.compareTo(Requester.MAX_TIMEOUT) <= 0, "timeout must be positive and at most %s, but was %s",
                Requester.MAX_TIMEOUT, timeout);
    }

    private <K, Q, R> void send(Endpoint<K, Q, R> endpoint, OutboundMessage<K, Q> request, Duration timeout,
            PendingRequest<R> p) {
        requireState(!closed, "requester for reply topic '%s' is closed", options.replyTopic());
        if (replies.stoppedBy() != null) {
            p.fail(stopped(), errors);
            return;
        }
        Publisher<K, Q> publisher;
        try {
            publisher = publisher(endpoint);
        } catch (Throwable e) {
            p.fail(unlessTheJvms(e), errors); // a failed future, as promised
            return;
        }
        p.deadline = clock.instant().plus(timeout);
        // Chosen after the publisher is set up, which may take long: a partition given up meanwhile is not chosen.
        int partition = replies.route(p.deadline.toEpochMilli(), next.getAndIncrement());
        if (partition < 0) {
            p.fail(closed ? closedBefore(p) : new CourierRetriableException("requester owns no partition of reply "
                    + "topic '" + options.replyTopic() + "' at the moment (group '" + options.groupId() + "' is "
                    + "rebalancing); request to '" + endpoint.name() + "' not sent, retry"), errors);
            return;
        }
        p.completion().whenComplete((r, e) -> {
            replies.finished(partition); // a drained partition is read no longer
            if (pending.remove(p.correlationId, p)) { // completed by the caller (cancel, orTimeout): forget it now
                completed.add(p.correlationId); // its reply, should one come, is late
                p.cancelTimer();
            }
        });
        OutboundMessage<K, Q> message = request.withCorrelationId(p.correlationId)
                .withHeader(ReplyHeaders.REPLY_TOPIC, options.replyTopic())
                .withHeader(ReplyHeaders.REPLY_PARTITION, Integer.toString(partition))
                .withHeader(ReplyHeaders.DEADLINE, Long.toString(p.deadline.toEpochMilli()));
        pending.put(p.correlationId, p);
        // The timer runs before the send: a send that blocks (the producer waiting for metadata, up to max.block.ms)
        // past the deadline leaves a Reply.Timeout at the deadline, as the request's deadline promises.
        try {
            p.timer = timers.schedule(() -> expire(p), Math.max(0, Duration.between(clock.instant(), p.deadline)
                    .toNanos()), TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) { // close() ran meanwhile
            // close() may have cleared the map after failing what it held, missing this one: fail it here in any
            // case (a future completes once; a second completion does nothing).
            pending.remove(p.correlationId, p);
            p.fail(closedBefore(p), errors);
            return;
        }
        sent.increment(); // first, as every counter: its reply may come back before publish() returns here
        try {
            publisher.publish(message).whenComplete((result, error) -> {
                if (error != null && pending.remove(p.correlationId, p)) {
                    p.cancelTimer();
                    p.fail(error, errors);
                }
            });
        } catch (Throwable e) { // a serde's Error too: the caller learns now, not at the deadline
            sent.decrement();
            if (pending.remove(p.correlationId, p)) {
                p.cancelTimer();
                p.fail(unlessTheJvms(e), errors);
            }
        }
    }

    private CourierException closedBefore(PendingRequest<?> p) {
        return new CourierException("requester for reply topic '" + options.replyTopic() + "' closed before request "
                + p.correlationId + " to '" + p.endpoint.name() + "' was answered");
    }

    private CourierException stopped() {
        return new CourierException("requester for reply topic '" + options.replyTopic() + "' stopped reading "
                + "replies after an error (" + replies.stoppedBy() + "); close it and start another", replies.stoppedBy());
    }

    /** The reply thread ended on its own: nothing pending can be answered any more. */
    private void replyThreadStopped() {
        pending.values().forEach(p -> {
            if (pending.remove(p.correlationId, p)) {
                p.cancelTimer();
                p.fail(stopped(), errors);
            }
        });
    }

    /**
     * What a publisher is cached by: its topic and how it writes keys and values. Two endpoints on one topic with other
     * serdes (a text one and a JSON one, or JSON with another mapper) get a publisher each; endpoints made anew for
     * every request share one. A serde is told apart by its class and type, and a JSON one by its mapper too: an
     * endpoint whose JSON mapper is built anew for every request gets a producer every time, so build it once.
     */
    private record PublisherKey(String topic, Object keySerde, Class<?> keyType, Object valueSerde,
            Class<?> valueType) {
        static PublisherKey of(Topic<?, ?> topic) {
            return new PublisherKey(topic.name(), identity(topic.keySerde()), topic.keySerde().type(),
                    identity(topic.valueSerde()), topic.valueSerde().type());
        }

        /** A JSON serde is equal to another with the same type and mapper; any other serde stands for its class. */
        private static Object identity(io.courier.core.Serde<?> serde) {
            return serde instanceof io.courier.core.internal.JsonSerde<?> ? serde : serde.getClass();
        }
    }

    // The key's serde classes and types fix the publisher's key and value types.
    @SuppressWarnings("unchecked")
    private <K, Q> Publisher<K, Q> publisher(Endpoint<K, Q, ?> endpoint) {
        PublisherKey key = PublisherKey.of(endpoint.requests());
        CompletableFuture<Publisher<?, ?>> mine = new CompletableFuture<>();
        CompletableFuture<Publisher<?, ?>> existing = publishers.putIfAbsent(key, mine);
        if (existing != null) {
            try {
                return (Publisher<K, Q>) existing.join();
            } catch (java.util.concurrent.CompletionException e) { // the set-up this caller waited for failed
                if (e.getCause() instanceof Error error) {
                    throw error;
                }
                throw e.getCause() instanceof RuntimeException r ? r : e;
            }
        }
        Publisher<K, Q> created;
        try {
            created = courier.publisher(endpoint.requests(), options.publisherOptions());
        } catch (RuntimeException | Error e) { // an Error too: left incomplete, mine would hold every later caller
            publishers.remove(key, mine); // the next request tries again
            mine.completeExceptionally(e);
            throw e;
        }
        mine.complete(created);
        if (closed) { // close() may have passed this topic while it was being set up
            closeQuietly(created);
            throw new IllegalStateException("requester for reply topic '" + options.replyTopic() + "' is closed");
        }
        return created;
    }

    private void expire(PendingRequest<?> p) {
        completed.add(p.correlationId); // before it leaves pending: a reply in between counts as late, not unmatched
        if (pending.remove(p.correlationId, p)) {
            p.expire(timedOut);
        }
    }

    private void dispatch(ConsumerRecord<byte[], byte[]> record) {
        String id = EnvelopeCodec.correlationId(record.headers());
        PendingRequest<?> p = id == null ? null : pending.get(id);
        if (p == null) {
            (id != null && completed.contains(id) ? late : unmatched).increment();
            return;
        }
        offer(p, record);
    }

    private <R> void offer(PendingRequest<R> p, ConsumerRecord<byte[], byte[]> record) {
        Reply<R> reply = ReplyCodec.decode(record, p.endpoint, p.correlationId);
        if (p instanceof PendingRequest.Single<R> && !pending.remove(p.correlationId, p)) {
            late.increment(); // its timer won the race
            return;
        }
        // Only a gather tells its responders apart.
        String responder = p instanceof PendingRequest.Gather<R>
                ? EnvelopeCodec.text(record.headers(), ReplyHeaders.RESPONDER_GROUP) : null;
        // Counted and booked before the caller's future completes: a caller that has its reply sees it in stats().
        PendingRequest.Offer outcome = p.offer(reply, responder, reply instanceof Reply.Success<R> ? succeeded
                : failed, () -> {
                    completed.add(p.correlationId);
                    pending.remove(p.correlationId, p);
                    p.cancelTimer();
                });
        if (outcome == PendingRequest.Offer.REFUSED) {
            late.increment(); // the deadline came first, or a group answered a redelivered request again
        }
    }

    @Override
    public Set<Integer> replyPartitions() {
        return Arrays.stream(replies.owned()).boxed().collect(Collectors.toUnmodifiableSet());
    }

    @Override
    public RequesterStats stats() {
        return new RequesterStats(sent.sum(), succeeded.sum(), failed.sum(), timedOut.sum(), late.sum(),
                unmatched.sum(), errors.sum(), pending.size());
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        replies.close();
        timers.shutdown();
        pending.values().forEach(p -> p.fail(closedBefore(p), errors));
        pending.clear();
        for (CompletableFuture<Publisher<?, ?>> publisher : publishers.values()) {
            // One still being set up is closed by the thread setting it up, which sees closed when it is done.
            if (publisher.isDone() && !publisher.isCompletedExceptionally()) {
                closeQuietly(publisher.join());
            }
        }
    }

    private static void closeQuietly(Publisher<?, ?> publisher) {
        try {
            // Bounded: the requests it still holds have failed their callers already, and with the cluster gone
            // an unbounded close would wait out delivery.timeout.ms (2 minutes) for each publisher in turn.
            publisher.close(PUBLISHER_CLOSE);
        } catch (RuntimeException e) {
            // the requests it failed to send have already failed their callers
        }
    }
}
