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

    /** As {@link #close(Duration)} with 30 seconds. */
    @Override
    void close();

    /**
     * Stops, waiting at most {@code timeout} for the requests in hand, then interrupts their handlers. A handler
     * that then fails, however it reports the interrupt (rethrown, wrapped, or an exception of its own, thrown or
     * failing its stage, or a null answer), gets no reply from this instance: its request stays uncommitted, and
     * another instance of the group answers it; a handler that ignores the interrupt and returns its answer is
     * answered, and one that fails on its own before the interrupt gets its failure reply. What was answered is
     * committed, and the interrupted threads get up to 30 seconds more, together, to leave the group. A second call
     * only waits for the first.
     *
     * @param timeout how long to wait for the requests in hand, zero or more
     * @throws IllegalArgumentException if {@code timeout} is null or negative
     */
    void close(Duration timeout);
}
