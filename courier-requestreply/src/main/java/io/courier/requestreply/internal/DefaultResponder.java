package io.courier.requestreply.internal;

import io.courier.common.CourierException;
import io.courier.common.Durations;
import io.courier.common.JvmErrors;
import io.courier.core.Courier;
import io.courier.core.HandlerContext;
import io.courier.core.Handlers;
import io.courier.core.Message;
import io.courier.core.OutboundMessage;
import io.courier.core.PublishResult;
import io.courier.core.RetryPolicy;
import io.courier.core.SerdeException;
import io.courier.core.Serdes;
import io.courier.core.Subscriber;
import io.courier.core.SubscriberOptions;
import io.courier.core.Topic;
import io.courier.requestreply.Endpoint;
import io.courier.requestreply.ReplyHeaders;
import io.courier.requestreply.RequestHandler;
import io.courier.requestreply.Responder;
import io.courier.requestreply.ResponderOptions;
import io.courier.requestreply.ResponderStats;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;

/**
 * A Courier subscriber on the request topic whose handler waits for the user's answer and publishes it to the
 * partition the request names, before the request's offset is committed.
 */
public final class DefaultResponder<K, Q, R> implements Responder {
    private static final String MAX_POLL_INTERVAL = "max.poll.interval.ms";
    private final Endpoint<K, Q, R> endpoint;
    private final RequestHandler<K, Q, R> handler;
    private final Clock clock;
    private final ConcurrentHashMap<String, Topic<String, R>> successTopics = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Topic<String, String>> failureTopics = new ConcurrentHashMap<>();
    private final LongAdder answered = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final LongAdder expired = new LongAdder();
    private final Subscriber subscriber;
    private final String group;
    /** How long the responder waits for a handler's asynchronous answer, whatever the caller's deadline. */
    private final java.time.Duration handlingTimeout;
    /** So that a request naming a reply target that is not there fails at once. */
    private final ReplyTargets replyTargets;

    private DefaultResponder(Courier courier, Endpoint<K, Q, R> endpoint, ResponderOptions options,
            RequestHandler<K, Q, R> handler) {
        this.endpoint = endpoint;
        this.handler = handler;
        this.clock = courier.config().clock();
        this.group = options.groupId();
        this.handlingTimeout = options.handlingTimeout();
        requireShorterThanGlobalPollInterval(courier, options);
        this.replyTargets = new ReplyTargets(courier);
        SubscriberOptions.Builder so = SubscriberOptions.builder(options.groupId())
                .concurrency(options.concurrency())
                .groupProtocol(options.groupProtocol())
                // Requests sent before the group first existed wait in the topic: answer them (deadline allowing).
                .fromBeginning(true)
                // The user's failures become failure replies; what still throws is a malformed request.
                .retry(RetryPolicy.noRetries());
        options.instanceId().ifPresent(so::instanceId);
        options.consumerProperties().forEach(so::consumerProperty);
        // Values are read here, not by the subscriber: a request that cannot be read gets a failure reply instead of
        // going to the dead-letter topic while its caller waits for the deadline.
        Topic<K, LenientSerde.Read<Q>> raw = Topic.of(endpoint.requests().name(), endpoint.requests().keySerde(),
                new LenientSerde<>(endpoint.requests().valueSerde()));
        this.subscriber = courier.subscriber(raw, so.build(), Handlers.all(this::answer));
    }

    /**
     * {@link ResponderOptions#build} checks the handling timeout against a {@code max.poll.interval.ms} among the
     * consumer properties; one set for every client of the service reaches the consumer too.
     */
    private static void requireShorterThanGlobalPollInterval(Courier courier, ResponderOptions options) {
        String global = courier.config().clientProperties().get(MAX_POLL_INTERVAL);
        if (global == null || options.consumerProperties().containsKey(MAX_POLL_INTERVAL)) {
            return;
        }
        long maxPoll;
        try {
            maxPoll = Long.parseLong(global.trim());
        } catch (NumberFormatException e) {
            return; // the subscriber refuses it, naming it
        }
        if (options.handlingTimeout().toMillis() >= maxPoll) {
            throw new IllegalArgumentException("handlingTimeout must be shorter than " + MAX_POLL_INTERVAL + "="
                    + maxPoll + " (a client property of the Courier config), past which the group would evict this "
                    + "instance, but was " + Durations.format(options.handlingTimeout()));
        }
    }

    /** @see Responder#start */
    public static <K, Q, R> Responder start(Courier courier, Endpoint<K, Q, R> endpoint, ResponderOptions options,
            RequestHandler<K, Q, R> handler) {
        java.util.Objects.requireNonNull(handler, "handler");
        DefaultResponder<K, Q, R> responder = new DefaultResponder<>(courier, endpoint, options, handler);
        responder.subscriber.start();
        return responder;
    }

    private void answer(Message<K, LenientSerde.Read<Q>> request, HandlerContext ctx) throws InterruptedException {
        String replyTopic = request.headers().get(ReplyHeaders.REPLY_TOPIC);
        String partitionText = request.headers().get(ReplyHeaders.REPLY_PARTITION);
        if (replyTopic == null || partitionText == null) {
            throw new CourierException("request " + request.coordinates() + " has no " + ReplyHeaders.REPLY_TOPIC
                    + " or " + ReplyHeaders.REPLY_PARTITION + " header, so there is nowhere to answer; it was not "
                    + "sent by a Courier requester");
        }
        int partition = (int) parse(partitionText, ReplyHeaders.REPLY_PARTITION, request);
        long deadline = request.headers().containsKey(ReplyHeaders.DEADLINE)
                ? parse(request.headers().get(ReplyHeaders.DEADLINE), ReplyHeaders.DEADLINE, request) : Long.MAX_VALUE;
        if (clock.millis() >= deadline) {
            expired.increment(); // the caller has given up: do not spend work on it
            return;
        }
        checkReplyTarget(replyTopic, partition, request);
        Throwable unreadable = request.value() == null ? null : request.value().error();
        if (unreadable != null) {
            fail(request, ctx, replyTopic, partition, new SerdeException("cannot deserialize the value of "
                    + request.coordinates() + " as " + endpoint.requests().valueSerde().type().getSimpleName() + ": "
                    + unreadable.getMessage(), unreadable));
            return;
        }
        Q payload = request.value() == null ? null : request.value().value();
        R value;
        // The caller's deadline, but never past handlingTimeout: a longer wait would outlast max.poll.interval.ms,
        // and the group would evict this instance and hand the request (and its partition) to another.
        long untilDeadline = Math.max(1, deadline - clock.millis());
        boolean bounded = untilDeadline > handlingTimeout.toMillis();
        try {
            CompletableFuture<R> reply = handler.handle(new Message<>(request.topic(), request.partition(),
                    request.offset(), request.timestamp(), request.key(), payload, request.envelope(),
                    request.headers())).toCompletableFuture();
            value = reply.get(bounded ? handlingTimeout.toMillis() : untilDeadline, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            if (ctx.closing()) {
                throw e; // shutting down: the request is not committed and goes to another instance
            }
            // The handler's own doing (an interrupt it left set, a task of its own cancelled): its failure to answer.
            fail(request, ctx, replyTopic, partition, e);
            return;
        } catch (TimeoutException e) {
            if (bounded) { // the caller still waits for an answer, so give one
                fail(request, ctx, replyTopic, partition, new CourierException("the handler of '" + endpoint.name()
                        + "' did not answer request " + request.coordinates() + " within the responder's "
                        + "handlingTimeout of " + Durations.format(handlingTimeout) + (deadline == Long.MAX_VALUE
                                ? " (the request carries no deadline)" : "")));
                return;
            }
            expired.increment();
            return;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            JvmErrors.rethrowIfJvms(cause); // an asynchronous handler's too: the JVM is in trouble, not the request
            fail(request, ctx, replyTopic, partition, cause);
            return;
        } catch (Throwable e) {
            // The errors of handler code too (a missing class, a failed assert, a recursion): thrown out of here they
            // would end the consumer thread, and the redelivered request would end the next one, until no responder
            // of the group were left. The JVM's own errors (OutOfMemoryError) stop the thread, as in any subscriber.
            JvmErrors.rethrowIfJvms(e);
            fail(request, ctx, replyTopic, partition, e);
            return;
        }
        if (value == null) {
            fail(request, ctx, replyTopic, partition, new NullPointerException("the handler of '" + endpoint.name()
                    + "' answered null; a reply needs a value"));
            return;
        }
        if (ctx.interruptedByClose()) {
            // The handler answered though close interrupted it: send the answer. A send that first waits for the
            // reply topic's metadata would fail on the interrupt, which has done its part.
            Thread.interrupted();
        }
        CompletableFuture<PublishResult> sent;
        answered.increment(); // before the reply leaves: a caller that has it sees it counted here
        try {
            sent = ctx.publish(successTopics.computeIfAbsent(replyTopic, t -> Topic.of(t, Serdes.string(),
                    endpoint.replies())), OutboundMessage.of(request.envelope().correlationId(), value)
                            .withPartition(partition)
                            .withHeader(ReplyHeaders.STATUS, ReplyHeaders.SUCCESS)
                            .withHeader(ReplyHeaders.RESPONDER_GROUP, group));
        } catch (Throwable e) {
            answered.decrement(); // no reply left, so not counted
            // The reply serde failed (its errors too): the caller learns now, not at its deadline. The JVM's own
            // errors stop the thread.
            JvmErrors.rethrowIfJvms(e);
            fail(request, ctx, replyTopic, partition, e);
            return;
        }
        if (sent.isCompletedExceptionally()) {
            // Refused outright, a reply too large for the producer say: the caller learns why now. The refused send
            // still fails this attempt, so the request also goes to the dead-letter topic, with the reason.
            Throwable refusal = sent.handle((result, e) -> e.getCause() != null ? e.getCause() : e).join();
            answered.decrement();
            fail(request, ctx, replyTopic, partition, refusal);
        }
    }

    /**
     * Sends a failure reply, unless close() interrupted the handler's thread: then the failure may be that interrupt
     * in any form (wrapped, an exception of the handler's or a serde's own, a null answer, a failed stage), which is
     * not the request's to answer for, so it is left uncommitted for another instance.
     *
     * @throws InterruptedException if close() interrupted the handler's thread, whatever {@code error} says
     */
    private void fail(Message<K, ?> request, HandlerContext ctx, String replyTopic, int partition, Throwable error)
            throws InterruptedException {
        if (ctx.interruptedByClose()) {
            InterruptedException stop = new InterruptedException("the responder of '" + endpoint.name()
                    + "' is closing");
            stop.initCause(error);
            throw stop;
        }
        String message = ReplyCodec.truncate(error.getMessage());
        failed.increment(); // before the reply leaves, as answered
        try {
            ctx.publish(failureTopics.computeIfAbsent(replyTopic, t -> Topic.of(t, Serdes.string(), Serdes.string())),
                    OutboundMessage.of(request.envelope().correlationId(), message).withPartition(partition)
                            .withHeader(ReplyHeaders.STATUS, ReplyHeaders.FAILURE)
                            .withHeader(ReplyHeaders.ERROR_TYPE, error.getClass().getName())
                            .withHeader(ReplyHeaders.RESPONDER_GROUP, group));
        } catch (Throwable e) {
            failed.decrement(); // no reply left: the request is handled again
            throw e;
        }
    }

    /** @throws CourierException naming the request and its reply target, if that target does not exist */
    private void checkReplyTarget(String topic, int partition, Message<?, ?> request) throws InterruptedException {
        String problem = replyTargets.problem(topic, partition);
        if (problem != null) {
            throw new CourierException("request " + request.coordinates() + " " + problem);
        }
    }

    private static long parse(String text, String header, Message<?, ?> request) {
        try {
            long value = Long.parseLong(text.trim());
            if (value < 0 || header.equals(ReplyHeaders.REPLY_PARTITION) && value > Integer.MAX_VALUE) {
                throw new NumberFormatException(text);
            }
            return value;
        } catch (NumberFormatException e) {
            throw new CourierException("request " + request.coordinates() + " has header " + header + "='" + text
                    + "'; expected a non-negative number");
        }
    }

    @Override
    public Responder awaitAssignment(Duration timeout) {
        subscriber.awaitAssignment(timeout);
        return this;
    }

    @Override
    public ResponderStats stats() {
        return new ResponderStats(answered.sum(), failed.sum(), expired.sum());
    }

    @Override
    public boolean isRunning() {
        return subscriber.isRunning();
    }

    @Override
    public void close() {
        subscriber.close();
    }

    @Override
    public void close(Duration timeout) {
        subscriber.close(timeout); // which refuses a null or negative timeout
    }
}
