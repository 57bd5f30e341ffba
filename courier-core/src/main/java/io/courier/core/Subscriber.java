package io.courier.core;

import java.time.Duration;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;

/**
 * Consumes one topic in a consumer group with one or more threads, and hands each message to its handler with
 * the commit strategy of its {@link DeliveryGuarantee}. Thread-safe.
 */
public interface Subscriber extends AutoCloseable {

    /**
     * Starts the consumer threads.
     *
     * @return this subscriber
     * @throws IllegalStateException if it was started before
     */
    Subscriber start();

    /**
     * Waits until this instance has partitions assigned (or the group has fewer partitions than members).
     *
     * @param timeout how long to wait
     * @return this subscriber
     * @throws io.courier.common.CourierRetriableException if nothing was assigned in time
     * @throws io.courier.common.CourierException if a consumer thread stopped on an error before it got partitions
     *     (for instance {@link GroupProtocol#CONSUMER} against a broker older than Kafka 4.0), naming the error
     */
    Subscriber awaitAssignment(Duration timeout);

    /** @return the partitions this instance holds right now */
    Set<TopicPartition> assignedPartitions();

    /** @return whether the consumer threads are running */
    boolean isRunning();

    /**
     * Stops gracefully: in-flight messages are finished, their offsets committed, and the group left. The same as
     * {@code close(Duration.ofSeconds(30))}. Idempotent: a call while another thread closes waits for that close,
     * as long as it may take.
     */
    @Override
    void close();

    /**
     * Stops, waiting at most {@code timeout} for in-flight work; after it, threads are interrupted and what was not
     * committed is redelivered to the group (at-least-once and exactly-once). The interrupted threads then get up to
     * 30 seconds more, together, to close their consumers, so that they leave the group at once instead of after
     * their session timeout; a handler that ignores the interrupt, or a thread still waiting for the cluster to
     * acknowledge its output or its commit (up to the producer's {@code delivery.timeout.ms} when the cluster does
     * not answer), may still be running when this returns.
     *
     * @param timeout how long to wait for in-flight work, zero or more
     * @throws IllegalArgumentException if {@code timeout} is null or negative
     */
    void close(Duration timeout);
}
