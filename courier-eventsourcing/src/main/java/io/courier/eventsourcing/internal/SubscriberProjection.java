package io.courier.eventsourcing.internal;

import static io.courier.common.Preconditions.requireState;

import io.courier.common.Durations;
import io.courier.common.JvmErrors;
import io.courier.core.internal.MessageIds;
import io.courier.common.CourierException;
import io.courier.common.CourierRetriableException;
import io.courier.core.Courier;
import io.courier.core.Handlers;
import io.courier.core.Message;
import io.courier.core.Serdes;
import io.courier.core.Subscriber;
import io.courier.core.SubscriberOptions;
import io.courier.core.Topic;
import io.courier.eventsourcing.Aggregate;
import io.courier.eventsourcing.EventHeaders;
import io.courier.eventsourcing.EventOffset;
import io.courier.eventsourcing.Projection;
import io.courier.eventsourcing.Projector;
import io.courier.eventsourcing.ReadModelStore;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/** A projection on a Courier subscriber (at-least-once, made idempotent by the aggregate version of each event). */
public final class SubscriberProjection<V, E> implements Projection<V> {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SubscriberProjection.class);
    private final Courier courier;
    private final EventCodec<?, ?, E> codec;
    private final String name;
    private final Projector<V, E> projector;
    private final Topic<String, byte[]> events;
    private final ReadModelStore<V> models;
    private final Map<String, Long> versions = new ConcurrentHashMap<>();
    /**
     * Aggregates whose events stopped being applied, with why: an event failed its last attempt (its projector or
     * its decoding failed, and it goes to the dead-letter topic), or arrived past a version that was never applied.
     * Applying later ones would build a model on a missing change; the model stays at the last version applied,
     * until a reset.
     */
    private final Map<String, String> stalled = new ConcurrentHashMap<>();
    private final Map<Integer, Long> positions = new ConcurrentHashMap<>();
    private final String instance = MessageIds.next().substring(0, 8);
    /** Which subscriber's events count: a reset starts a new generation, and the old one's late events are dropped. */
    private int generation;
    private boolean closed;
    /** Why the projection serves nothing: a reset cleared it and could not subscribe again. Null while it works. */
    private volatile RuntimeException failed;
    private Subscriber subscriber;
    /** Serialises reset and close, which wait for a subscriber to stop: not under this object's monitor. */
    private final Object lifecycle = new Object();

    private SubscriberProjection(Courier courier, Aggregate<?, ?, E> aggregate, String name, Projector<V, E> projector,
            ReadModelStore<V> store) {
        this.models = store;
        this.courier = courier;
        this.codec = new EventCodec<>(aggregate);
        this.name = name;
        this.projector = projector;
        this.events = Topic.of(aggregate.eventsTopic(), Serdes.string(), Serdes.bytes());
    }

    /** @see Projection#start */
    public static <V, E> Projection<V> start(Courier courier, Aggregate<?, ?, E> aggregate, String name,
            Projector<V, E> projector, ReadModelStore<V> store) {
        store.clear(); // the versions that make redeliveries harmless start empty, so the models must too
        SubscriberProjection<V, E> p = new SubscriberProjection<>(courier, aggregate, name, projector, store);
        p.subscribe();
        return p;
    }

    private synchronized void subscribe() {
        int gen = generation;
        SubscriberOptions options = SubscriberOptions.builder(groupId()).fromBeginning(true).build();
        subscriber = courier.subscriber(events, options, Handlers.all((m, ctx) -> {
            try {
                apply(m, gen);
            } catch (Throwable e) {
                JvmErrors.rethrowIfJvms(e);
                if (ctx.attempt() >= options.retry().maxAttempts() || !options.retry().isRetriable(e)) {
                    stall(m, gen, e); // its last attempt: the event goes to the dead-letter topic
                }
                throw e;
            }
        })).start();
    }

    /**
     * Stops applying the aggregate of an event that failed for good, at once: a reader waiting for that event (by
     * its offset, or its version) learns why now, not when a later event of the aggregate shows the gap.
     */
    private synchronized void stall(Message<String, byte[]> m, int gen, Throwable e) {
        if (!current(gen) || m.key() == null) {
            return;
        }
        long applied = versions.getOrDefault(m.key(), 0L);
        String why = "projection '" + name + "' stopped applying aggregate '" + m.key() + "' at version " + applied
                + ": event " + m.coordinates() + " failed for good (" + e + ") and goes to the dead-letter topic "
                + events.name() + ".dlt; reset() the projection once the cause is fixed";
        LOG.error(why);
        stalled.putIfAbsent(m.key(), why);
        notifyAll();
    }

    /** @return whether events of generation {@code gen} still count; holds the lock */
    private boolean current(int gen) {
        return gen == generation && !closed;
    }

    /**
     * A group of its own per start and reset: the versions that make redeliveries harmless live in memory, so every
     * start must read the events topic from its beginning, which committed offsets of an earlier start would skip.
     */
    private String groupId() {
        return name + "-projection-" + instance + "-" + generation;
    }

    private void apply(Message<String, byte[]> m, int gen) {
        String id = m.key();
        EventCodec.Decoded<E> d = codec.decode(m.value(), m.envelope().messageType(),
                m.headers().get(EventHeaders.AGGREGATE_VERSION), m.headers().get(EventHeaders.SCHEMA_VERSION),
                m.coordinates());
        boolean fresh;
        synchronized (this) { // with the generation check: a reset clears the maps under this lock
            if (!current(gen)) {
                return; // a reset or close is stopping this subscriber: its events are read again, or not at all
            }
            // One aggregate's events arrive in order from one partition; only a redelivery goes backwards.
            long applied = versions.getOrDefault(id, 0L);
            fresh = d.version() > applied && !stalled.containsKey(id);
            if (fresh && d.version() > applied + 1) {
                String why = "projection '" + name + "' stopped applying aggregate '" + id + "' at version " + applied
                        + ": event " + m.coordinates() + " is version " + d.version() + ", and version "
                        + (applied + 1) + " was never applied (its projector failed; see the log and the dead-letter "
                        + "topic " + events.name() + ".dlt); reset() the projection once the cause is fixed";
                LOG.error(why);
                stalled.put(id, why);
                fresh = false;
            }
        }
        V next = fresh ? projector.apply(models.get(id).orElse(null), id, d.event()) : null;
        synchronized (this) {
            if (!current(gen)) {
                return; // reset while the projector ran: what it computed belongs to the forgotten generation
            }
            if (fresh) {
                if (next == null) {
                    models.remove(id);
                } else {
                    models.put(id, next);
                }
                versions.put(id, d.version());
            }
            positions.merge(m.partition(), m.offset(), Math::max);
            notifyAll();
        }
    }

    @Override
    public Optional<V> get(String aggregateId) {
        requireWorking();
        return models.get(aggregateId);
    }

    /** @throws CourierException if a reset left the projection empty and not reading, naming why */
    private void requireWorking() {
        RuntimeException why = failed;
        if (why != null) {
            throw new CourierException("projection '" + name + "' serves nothing: a reset cleared it and could not "
                    + "read the events again (" + why + "); reset() it again", why);
        }
    }

    @Override
    public synchronized Optional<V> get(String aggregateId, Collection<EventOffset> offsets, Duration wait) {
        requireNotStalled(aggregateId);
        awaitOffsets(offsets, wait, aggregateId);
        requireNotStalled(aggregateId); // the event that stalled it may be among those awaited
        return get(aggregateId);
    }

    /** @throws CourierException if the projection stopped applying the aggregate; holds the lock */
    private void requireNotStalled(String aggregateId) {
        String why = stalled.get(aggregateId);
        if (why != null) {
            throw new CourierException(why);
        }
    }

    @Override
    public synchronized Optional<V> get(String aggregateId, long version, Duration wait) {
        requireWorking();
        long deadline = System.nanoTime() + wait.toNanos();
        while (versions.getOrDefault(aggregateId, 0L) < version) {
            String why = stalled.get(aggregateId);
            if (why != null) {
                throw new CourierException(why);
            }
            pause(deadline, () -> "projection '" + name + "' has aggregate '" + aggregateId + "' at version "
                    + versions.getOrDefault(aggregateId, 0L) + ", not yet " + version + ", after waiting "
                    + Durations.format(wait));
        }
        return get(aggregateId);
    }

    @Override
    public synchronized void awaitOffsets(Collection<EventOffset> offsets, Duration wait) {
        awaitOffsets(offsets, wait, null);
    }

    /**
     * @param aggregateId an aggregate whose stall ends the wait at once (the event awaited failed for good, and
     *     the partition may not move past it for a long time), or null; holds the lock
     */
    private void awaitOffsets(Collection<EventOffset> offsets, Duration wait, String aggregateId) {
        for (EventOffset o : offsets) {
            if (!o.topic().equals(events.name())) {
                throw new IllegalArgumentException("projection '" + name + "' reads topic '" + events.name()
                        + "', so it cannot wait for offset " + o + " of another topic");
            }
        }
        if (closed) { // as the javadoc promises, also when the offsets were reached before it closed
            throw new CourierException("projection '" + name + "' is closed");
        }
        requireWorking();
        long deadline = System.nanoTime() + wait.toNanos();
        for (EventOffset o : offsets) {
            while (positions.getOrDefault(o.partition(), -1L) < o.offset()) {
                if (aggregateId != null) {
                    requireNotStalled(aggregateId);
                }
                pause(deadline, () -> "projection '" + name + "' has read partition " + o.topic() + "-"
                        + o.partition() + " up to offset " + positions.getOrDefault(o.partition(), -1L)
                        + ", not yet " + o.offset() + ", after waiting " + Durations.format(wait));
            }
        }
    }

    /**
     * Waits for the next applied event, or throws {@code late} once the deadline has passed, or at once if the
     * projection is closed or failed. Holds the lock.
     */
    private void pause(long deadline, Supplier<String> late) {
        if (closed) { // nothing will be applied any more: waiting out the deadline would only hide why
            throw new CourierException("projection '" + name + "' is closed");
        }
        requireWorking();
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw new CourierRetriableException(late.get());
        }
        try {
            wait(Math.max(1, left / 1_000_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CourierRetriableException("interrupted while waiting for projection '" + name + "'", e);
        }
    }

    @Override
    public Map<Integer, Long> positions() {
        requireWorking();
        return Map.copyOf(positions);
    }

    @Override
    public long version(String aggregateId) {
        requireWorking();
        return versions.getOrDefault(aggregateId, 0L);
    }

    @Override
    public Map<String, V> all() {
        requireWorking();
        return models.all();
    }

    @Override
    public void reset() {
        synchronized (lifecycle) {
            Subscriber old;
            String oldGroup;
            synchronized (this) {
                requireState(!closed, "projection '%s' is closed", name);
                old = subscriber;
                oldGroup = groupId();
                generation++; // from here on the old subscriber's events are dropped
                models.clear();
                versions.clear();
                stalled.clear();
                positions.clear();
            }
            try {
                // Outside the monitor: the old subscriber's thread finishes its batch through apply(), which needs it.
                old.close();
                courier.admin().deleteConsumerGroups(List.of(oldGroup));
                subscribe();
            } catch (RuntimeException e) {
                synchronized (this) { // the models are cleared and nothing refills them: say so to every query
                    failed = e;
                    notifyAll();
                }
                throw e;
            }
            synchronized (this) {
                failed = null;
            }
        }
    }

    @Override
    public void close() {
        synchronized (lifecycle) {
            String group;
            synchronized (this) {
                if (closed) {
                    return;
                }
                closed = true;
                group = groupId();
                notifyAll(); // the waiting queries fail now, not at their deadline
            }
            subscriber.close();
            courier.admin().deleteConsumerGroups(List.of(group)); // best effort: an unused group expires anyway
        }
    }
}
