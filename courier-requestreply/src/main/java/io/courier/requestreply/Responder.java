package io.courier.requestreply;

import io.courier.core.Courier;
import io.courier.requestreply.internal.DefaultResponder;
import java.time.Duration;

/**
 * Answers the requests of one endpoint. Instances with the same group share the request topic's partitions; each
 * request is answered by one of them. A reply is published before the request's offset is committed, so a
 * responder that crashes mid-request leaves it to another instance (at-least-once); the caller sees one answer,
 * since a second reply to a completed request is dropped as late.
 */
public interface Responder extends AutoCloseable {

    /**
     * Starts answering.
     *
     * @param courier  the connection
     * @param endpoint the request topic and reply serde; the request topic must exist
     * @param options  the group and threads
     * @param handler  computes replies
     * @param <K>      the key type
     * @param <Q>      the request type
     * @param <R>      the reply type
     * @return a running responder
     * @throws io.courier.common.CourierException if the request topic does not exist or the concurrency exceeds its
     *     partition count
     */
    static <K, Q, R> Responder start(Courier courier, Endpoint<K, Q, R> endpoint, ResponderOptions options,
            RequestHandler<K, Q, R> handler) {
        return DefaultResponder.start(courier, endpoint, options, handler);
    }

    /**
     * Waits until this instance has request partitions.
     *
     * @param timeout how long to wait
     * @return this responder
     * @throws io.courier.common.CourierRetriableException if nothing was assigned in time
     */
    Responder awaitAssignment(Duration timeout);

    /** @return the counters */
    ResponderStats stats();

    /**
     * @return whether any of its consumer threads runs: false once closed, and once every thread stopped on an
     *     error it could not answer (the JVM's own, an {@code OutOfMemoryError}, say), which is logged
     */
    boolean isRunning();

    /**
     * Finishes the requests in hand (waiting up to 30 s, then as {@link #close(Duration)}), commits and leaves the
     * group. Idempotent.
     */
    @Override
    void close();

    /**
     * Finishes the requests in hand for at most {@code timeout}, then interrupts their handlers: a request not
     * answered by then gets no reply from this instance, however its handler reports the interrupt, and stays
     * uncommitted for another instance of the group. Commits what was answered and leaves the group. Idempotent.
     *
     * @param timeout how long to wait for the requests in hand, zero or more
     * @throws IllegalArgumentException if {@code timeout} is null or negative
     */
    void close(Duration timeout);
}
