package io.courier.eventsourcing;

import io.courier.core.Courier;
import io.courier.eventsourcing.internal.StreamsCommandProcessor;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The single writer of an aggregate type: a Kafka Streams application with {@code exactly_once_v2} that owns each
 * partition of the commands topic. For each command it reads the aggregate's state from its state store, decides,
 * appends the events to the events topic, updates the state and answers the command, all in one transaction.
 * Commands of one aggregate are keyed by its id, so they reach one partition and one writer, in order.
 */
public interface CommandProcessor<S> extends AutoCloseable {

    /**
     * Creates the commands and events topics if missing and starts processing.
     *
     * @param courier   the connection (its servers and client properties are used)
     * @param aggregate the aggregate type
     * @param options   the application id, threads, commit interval and the replication factor of the topics
     * @param <S>       the state type
     * @param <C>       the command type
     * @param <E>       the event type
     * @return a running processor
     * @throws io.courier.common.CourierException if an existing commands or events topic differs from its
     *     declaration (partition count, replication factor), naming the topic, both values and the settings
     */
    static <S, C, E> CommandProcessor<S> start(Courier courier, Aggregate<S, C, E> aggregate, ProcessorOptions options) {
        return StreamsCommandProcessor.start(courier, aggregate, options);
    }

    /**
     * @param timeout how long to wait
     * @return this processor, once Kafka Streams is RUNNING
     * @throws io.courier.common.CourierRetriableException if it is not running in time, naming its state
     * @throws io.courier.common.CourierException at once, not retriable, if Kafka Streams will not run any more
     *     (ERROR, PENDING_ERROR, PENDING_SHUTDOWN or NOT_RUNNING), with the stream thread's error as the cause if
     *     one failed; the processor does not restart itself
     */
    CommandProcessor<S> awaitRunning(Duration timeout);

    /**
     * The state in this instance's store, including what the transaction under way wrote before it commits: after
     * a crash that aborts that transaction, the store goes back to the last commit. For committed state, read a
     * projection.
     *
     * @param aggregateId an aggregate
     * @return its current state, if this instance owns it and it exists
     */
    Optional<Versioned<S>> state(String aggregateId);

    /** @return every aggregate this instance owns, with its state, read as {@link #state} reads it */
    Map<String, Versioned<S>> states();

    /**
     * Stops processing and leaves the consumer group, so that the other instances take over its partitions at once;
     * what was not committed is processed again by whoever takes over. Idempotent.
     */
    @Override
    void close();
}
