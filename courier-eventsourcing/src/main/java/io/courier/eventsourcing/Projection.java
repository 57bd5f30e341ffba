package io.courier.eventsourcing;

import io.courier.core.Courier;
import io.courier.eventsourcing.internal.SubscriberProjection;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;

/**
 * A read model kept up to date from an aggregate type's events topic, queryable by aggregate id. Each aggregate's
 * events are applied once and in order (a redelivered event is recognized by its aggregate version and skipped).
 * Every instance reads the whole topic from its beginning when it starts, under a consumer group of its own, so
 * each instance holds every read model. Thread-safe.
 *
 * @param <V> the read model type
 */
public interface Projection<V> extends AutoCloseable {

    /**
     * Starts a projection that reads the events topic from its beginning.
     *
     * @param courier   the connection
     * @param aggregate the aggregate type whose events are projected
     * @param name      the projection's name, used for its consumer group
     * @param projector how events change the read model
     * @param <V>       the read model type
     * @param <E>       the event type
     * @return a running projection
     */
    static <V, E> Projection<V> start(Courier courier, Aggregate<?, ?, E> aggregate, String name,
            Projector<V, E> projector) {
        return start(courier, aggregate, name, projector, ReadModelStore.inMemory());
    }

    /**
     * Starts a projection that keeps its read models in {@code store}. The store holds read models only; the
     * versions applied, which make redeliveries harmless, are kept by the projection, which therefore reads the
     * events topic from its beginning whenever it starts.
     *
     * @param courier   the connection
     * @param aggregate the aggregate type whose events are projected
     * @param name      the projection's name, used for its consumer group
     * @param projector how events change the read model
     * @param store     where the read models live
     * @param <V>       the read model type
     * @param <E>       the event type
     * @return a running projection
     */
    static <V, E> Projection<V> start(Courier courier, Aggregate<?, ?, E> aggregate, String name,
            Projector<V, E> projector, ReadModelStore<V> store) {
        return SubscriberProjection.start(courier, aggregate, name, projector, store);
    }

    /** @param aggregateId an aggregate @return its read model as projected so far */
    Optional<V> get(String aggregateId);

    /**
     * Read-your-writes: waits until the projection has applied the aggregate up to {@code version} (the version a
     * command returned), then answers.
     *
     * @param aggregateId an aggregate
     * @param version     the version to wait for
     * @param wait        how long at most
     * @return the read model at {@code version} or later
     * @throws io.courier.common.CourierRetriableException naming the aggregate and both versions if the projection
     *     has not caught up in time
     * @throws io.courier.common.CourierException at once, if the projection stopped applying the aggregate below
     *     {@code version} because an event of it could not be projected (until a {@link #reset()})
     */
    Optional<V> get(String aggregateId, long version, Duration wait);

    /**
     * Read-your-writes by offsets, across aggregates: waits until the projection has read the events topic past
     * every given offset (those a command's {@link CommandResult#offsets()} returned, from one command or many).
     * An event the projector cannot apply (it fails, and goes to the dead-letter topic) does not count as read:
     * a wait for its offset times out unless a later event of its partition has been read.
     *
     * @param offsets where the events are; all must be in this projection's events topic
     * @param wait    how long at most
     * @throws IllegalArgumentException naming the topic if an offset is in another topic
     * @throws io.courier.common.CourierRetriableException naming the partition, the offset awaited and the one
     *     reached if the projection has not caught up in time
     * @throws io.courier.common.CourierException at once, also while waiting, if the projection is closed
     */
    void awaitOffsets(Collection<EventOffset> offsets, Duration wait);

    /**
     * Read-your-writes by offsets for one aggregate: {@link #awaitOffsets}, then {@link #get(String)}.
     *
     * @param aggregateId an aggregate
     * @param offsets     the offsets a command returned
     * @param wait        how long at most
     * @return the read model once the projection has read past the offsets
     * @throws io.courier.common.CourierRetriableException as {@link #awaitOffsets}
     * @throws io.courier.common.CourierException at once, like {@link #get(String, long, Duration)}, if the
     *     projection stopped applying the aggregate because an event of it could not be projected (until a
     *     {@link #reset()}): its model may lack a change whatever offsets are awaited
     */
    default Optional<V> get(String aggregateId, Collection<EventOffset> offsets, Duration wait) {
        awaitOffsets(offsets, wait);
        return get(aggregateId);
    }

    /**
     * @return per partition of the events topic, the offset of the last event read (applied, or skipped as a
     *     redelivery); partitions with nothing read yet are absent
     */
    Map<Integer, Long> positions();

    /** @param aggregateId an aggregate @return the version of it applied so far, 0 if none */
    long version(String aggregateId);

    /** @return every read model */
    Map<String, V> all();

    /**
     * Forgets everything and projects again from the beginning of the events topic. Events the old reader was still
     * applying are dropped, so nothing of before the reset reaches the new read models. Not concurrently with
     * {@link #close()}: one waits for the other. If reading again fails, the projection is left empty and every
     * later query throws a {@link io.courier.common.CourierException} naming the cause, until a reset succeeds.
     *
     * @throws IllegalStateException if the projection is closed
     */
    void reset();

    /** Stops reading; queries waiting for events fail at once, naming the projection as closed. Idempotent. */
    @Override
    void close();
}
