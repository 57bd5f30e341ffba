package io.courier.requestreply;

import io.courier.core.Courier;
import io.courier.core.OutboundMessage;
import io.courier.requestreply.internal.DefaultRequester;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Sends requests and matches their replies. Thread-safe: one per service instance.
 *
 * <p>Every instance of a service shares one reply topic; the instances split its partitions through a consumer
 * group, and each request names a partition its sender owns, so an instance reads only its own replies. A reply
 * whose correlation id the instance does not know is dropped and counted; it never completes another caller's
 * future. Futures complete on the requester's own threads (replies on its reply thread, timeouts on its timer
 * thread, send failures on the producer's I/O thread): use the {@code *Async} variants for slow continuations.
 */
public interface Requester extends AutoCloseable {
    /** The longest timeout a request may have. */
    Duration MAX_TIMEOUT = Duration.ofDays(365);

    /**
     * Creates the reply topic if missing, joins the reply group, and returns once this instance owns reply
     * partitions and knows their end offsets, so that no reply to a request it sends can be missed.
     *
     * @param courier the connection
     * @param options the reply topic and group
     * @return a ready requester
     * @throws io.courier.common.CourierRetriableException if no reply partition was assigned within the ready
     *     timeout (for instance: more requester instances than reply partitions); the message names the topic and
     *     group
     * @throws io.courier.common.CourierException if reading replies failed with an error that retrying does not
     *     cure (an authorization refusal; an {@code Error} that stopped the reply thread, at once); the message
     *     names it
     */
    static Requester start(Courier courier, RequesterOptions options) {
        return DefaultRequester.start(courier, options);
    }

    /**
     * Sends a request. The deadline is the send time plus {@code timeout}; it travels with the request, so a
     * responder does not work on a request whose caller has given up.
     *
     * @param endpoint the request topic and reply type
     * @param key      the request key (routes it to a partition), or {@code null}
     * @param payload  the request
     * @param timeout  how long to wait for the reply, positive and at most {@link #MAX_TIMEOUT}
     * @param <K>      the key type
     * @param <Q>      the request type
     * @param <R>      the reply type
     * @return completes with the reply, the responder's failure, or a timeout; completes exceptionally with a
     *     {@link io.courier.common.CourierException} naming the topic if the request could not be published
     * @throws IllegalArgumentException if the timeout is not positive or above {@link #MAX_TIMEOUT}
     * @throws IllegalStateException if this requester is closed
     */
    <K, Q, R> CompletableFuture<Reply<R>> request(Endpoint<K, Q, R> endpoint, K key, Q payload, Duration timeout);

    /**
     * Sends a request with extra headers, a causation id or a trace context. Its correlation id is always a new
     * one: it is what replies are matched by.
     *
     * @param endpoint the request topic and reply type
     * @param request  the request message
     * @param timeout  how long to wait, positive and at most {@link #MAX_TIMEOUT}
     * @param <K>      the key type
     * @param <Q>      the request type
     * @param <R>      the reply type
     * @return as {@link #request(Endpoint, Object, Object, Duration)}
     */
    <K, Q, R> CompletableFuture<Reply<R>> request(Endpoint<K, Q, R> endpoint, OutboundMessage<K, Q> request,
            Duration timeout);

    /**
     * Scatter-gather: sends one request that several responder groups subscribed to the request topic each answer,
     * and gathers replies until {@code expected} arrived or the deadline passed. Each responder group counts once: a
     * group's second reply to the request (it handled a redelivery) is dropped and counted as late.
     *
     * @param endpoint the request topic and reply type
     * @param key      the key, or {@code null}
     * @param payload  the request
     * @param expected how many replies to wait for, at least 1
     * @param timeout  how long to wait, positive and at most {@link #MAX_TIMEOUT}
     * @param <K>      the key type
     * @param <Q>      the request type
     * @param <R>      the reply type
     * @return the replies gathered; {@link Gathered#complete()} tells whether all expected arrived
     */
    <K, Q, R> CompletableFuture<Gathered<R>> gather(Endpoint<K, Q, R> endpoint, K key, Q payload, int expected,
            Duration timeout);

    /** @return the reply partitions this instance owns now */
    Set<Integer> replyPartitions();

    /**
     * @return the counters; a reply, timeout or exception a caller has got is already counted in them (a request
     *         its caller completed itself, with cancel or orTimeout, is in none of succeeded, failed, timedOut and
     *         errors)
     */
    RequesterStats stats();

    /**
     * Stops reading replies (waiting up to 10 s for the reply thread, unless called on it, from a reply's
     * continuation), completes pending requests exceptionally, then closes the publishers (up to 5 s each for the
     * requests they still hold, which may still reach a responder whose reply is then dropped); pending requests
     * complete with a
     * {@link io.courier.common.CourierException} that names the reply topic, the request and its endpoint. Idempotent.
     */
    @Override
    void close();
}
