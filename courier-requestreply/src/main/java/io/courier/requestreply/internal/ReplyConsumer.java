package io.courier.requestreply.internal;

import io.courier.common.JvmErrors;
import io.courier.core.CourierConfig;
import io.courier.requestreply.RequesterOptions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the reply partitions this instance owns in its reply group, on one thread. A partition counts as owned
 * only once its position is known: a request routed to it earlier could have its reply written before the
 * consumer's lazy "latest" reset, and skipped.
 */
final class ReplyConsumer implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(ReplyConsumer.class);

    private final org.apache.kafka.clients.consumer.Consumer<byte[], byte[]> consumer;
    private final String topic;
    private final Consumer<ConsumerRecord<byte[], byte[]>> dispatch;
    private final CompletableFuture<Void> ready = new CompletableFuture<>();
    private final Thread thread;
    private final Clock clock;
    private final Drainer drainer;
    /**
     * Guards {@link #owned} changes in the rebalance callbacks against {@link #route}: a request is routed either
     * before its partition is given up (and the partition is then drained until the request's deadline) or after
     * (and goes to another partition).
     */
    private final Object routing = new Object();
    /** Per reply partition, the latest deadline of a request routed to it: how long to read it after losing it. */
    private final Map<Integer, Long> lastDeadline = new HashMap<>();
    /** Per reply partition, the requests routed to it that are not over: a drain ends early when none is left. */
    private final Map<Integer, AtomicInteger> inFlight = new ConcurrentHashMap<>();
    private volatile int[] owned = new int[0];
    /**
     * Assigned partitions whose position could not be resolved yet (a leader unavailable, say): retried before
     * each poll, and owned once resolved. Confined to the reply thread.
     */
    private final Set<TopicPartition> unresolved = new HashSet<>();
    private long nextResolve;
    private volatile boolean closed;
    /** The last error of the reply loop, for a start that gets no partition. */
    private volatile RuntimeException lastError;
    /** What ended the reply loop on its own (not close()), or null. */
    private volatile Throwable stoppedBy;
    /** Told when the reply loop ends on its own. */
    private final Runnable onStopped;

    ReplyConsumer(CourierConfig config, RequesterOptions options, Consumer<ConsumerRecord<byte[], byte[]>> dispatch,
            Runnable onStopped) {
        this.onStopped = onStopped;
        Map<String, Object> base = config.kafkaClientConfig();
        base.put("enable.auto.commit", "false");
        // A reply written in a transaction (an exactly-once responder) counts only once the transaction commits.
        base.put("isolation.level", "read_committed");
        Map<String, Object> c = new HashMap<>(base);
        c.put("group.id", options.groupId());
        c.put("client.id", config.serviceName() + "-requester-" + options.replyTopic()
                + options.instanceId().map(id -> "-" + id).orElse(""));
        options.instanceId().ifPresent(id -> c.put("group.instance.id", id));
        // enable.auto.commit=false: positions start at the end on every assignment; there is nothing to commit.
        c.put("auto.offset.reset", "latest");
        // Cooperative: a rebalance moves only the partitions that must move, so the others keep their replies.
        c.put("partition.assignment.strategy", "org.apache.kafka.clients.consumer.CooperativeStickyAssignor");
        this.consumer = config.clientFactory().consumer(c);
        this.topic = options.replyTopic();
        this.dispatch = dispatch;
        this.clock = config.clock();
        base.put("client.id", c.get("client.id") + "-drain");
        this.drainer = new Drainer(() -> config.clientFactory().consumer(base), clock, this::awaited);
        this.thread = new Thread(this, "courier-replies-" + topic);
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    CompletableFuture<Void> ready() {
        return ready;
    }

    int[] owned() {
        return owned;
    }

    /**
     * Chooses the reply partition of a request and records its deadline against it.
     *
     * @param deadlineMillis the request's deadline
     * @param counter        spreads requests over the owned partitions
     * @return the partition, or -1 if this instance owns none at the moment
     */
    int route(long deadlineMillis, int counter) {
        synchronized (routing) {
            int[] o = owned;
            if (o.length == 0) {
                return -1;
            }
            int partition = o[Math.floorMod(counter, o.length)];
            lastDeadline.merge(partition, deadlineMillis, Math::max);
            inFlight.computeIfAbsent(partition, x -> new AtomicInteger()).incrementAndGet();
            return partition;
        }
    }

    /** A request {@link #route routed} to {@code partition} is over: answered, timed out or failed. */
    void finished(int partition) {
        inFlight.get(partition).decrementAndGet();
    }

    /** @return whether a request routed to {@code partition} may still get a reply there */
    private boolean awaited(int partition) {
        AtomicInteger n = inFlight.get(partition);
        return n != null && n.get() > 0;
    }

    /** @return the last error reading replies, or null */
    RuntimeException lastError() {
        return lastError;
    }

    @Override
    public void run() {
        try {
            consumer.subscribe(List.of(topic), new Listener());
            while (!closed) {
                try {
                    resolvePositions();
                    // While draining, poll the group consumer briefly so the drained partitions wait no longer.
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(drainer.active() ? 10 : 200))) {
                        dispatchOne(r);
                    }
                    if (unresolved.isEmpty()) {
                        lastError = null; // a poll went through: what failed before is over
                    }
                    drainer.poll(this::dispatchOne);
                } catch (WakeupException e) {
                    // close() woke the poll
                } catch (RuntimeException e) {
                    lastError = e;
                    if (!closed) {
                        LOG.warn("reading replies from topic '{}' failed, retrying in 1 s: {}", topic, e.toString());
                        sleepQuietly();
                    }
                }
            }
        } catch (Error e) { // the loop retries every RuntimeException; what ends it leaves the requester unusable
            stoppedBy = e;
            ready.completeExceptionally(e); // a start waiting for partitions learns now, and why
            LOG.error("the requester for reply topic '{}' stopped reading replies: {}", topic, e.toString(), e);
            throw e;
        } finally {
            owned = new int[0];
            try {
                drainer.close();
                consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
            } finally {
                if (!closed) {
                    onStopped.run();
                }
            }
        }
    }

    /**
     * Hands one reply on; a reply that cannot be matched is lost (its request times out), not the thread. The JVM's
     * own errors (OutOfMemoryError) still end it, as they end any Courier consumer thread.
     */
    private void dispatchOne(ConsumerRecord<byte[], byte[]> r) {
        try {
            dispatch.accept(r);
        } catch (Throwable e) {
            JvmErrors.rethrowIfJvms(e);
            LOG.error("requester for reply topic '{}' dropped the reply at {}-{}@{}: {}", topic, r.topic(),
                    r.partition(), r.offset(), e.toString(), e);
        }
    }

    /** @return what stopped the reply thread on its own, or null while it runs or after close() */
    Throwable stoppedBy() {
        return stoppedBy;
    }

    /** Owns the assigned partitions whose position is known now; the others wait for the next round. */
    private void resolvePositions() {
        if (unresolved.isEmpty() || clock.millis() < nextResolve) {
            return;
        }
        nextResolve = clock.millis() + 1000; // not before every poll: the partitions that work are read meanwhile
        unresolved.retainAll(consumer.assignment());
        List<TopicPartition> resolved = new ArrayList<>();
        for (TopicPartition tp : unresolved) {
            try {
                consumer.position(tp, Duration.ofMillis(200));
                resolved.add(tp);
            } catch (RuntimeException e) {
                lastError = e;
            }
        }
        if (!resolved.isEmpty()) {
            unresolved.removeAll(resolved);
            own(resolved);
        }
    }

    private void own(Collection<TopicPartition> partitions) {
        TreeSet<Integer> now;
        synchronized (routing) {
            now = ownedSet();
            partitions.forEach(tp -> now.add(tp.partition()));
            owned = now.stream().mapToInt(Integer::intValue).toArray();
        }
        LOG.info("requester owns reply partitions {} of topic '{}'", now, topic);
        if (!now.isEmpty()) {
            ready.complete(null);
        }
    }

    /** @return a copy of the owned partitions, to change and then store back under {@link #routing} */
    private TreeSet<Integer> ownedSet() {
        TreeSet<Integer> s = new TreeSet<>();
        for (int p : owned) {
            s.add(p);
        }
        return s;
    }

    void close() {
        closed = true;
        consumer.wakeup();
        if (Thread.currentThread() == thread) {
            return; // close() from a reply's continuation: the loop ends when it returns
        }
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleepQuietly() {
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private final class Listener implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            List<TopicPartition> resolved = new ArrayList<>();
            for (TopicPartition tp : partitions) {
                long drained = drainer.take(tp);
                if (drained >= 0) {
                    consumer.seek(tp, drained); // back before its drain ended: go on from there, no gap, no overlap
                    resolved.add(tp);
                    continue;
                }
                try {
                    consumer.position(tp, Duration.ofSeconds(5)); // "latest" now, before a request names it
                    resolved.add(tp);
                } catch (RuntimeException e) { // owned once resolved, not left unused until the next rebalance
                    lastError = e;
                    unresolved.add(tp);
                    LOG.warn("requester cannot tell where reply partition {} ends yet; it takes no request until "
                            + "it can: {}", tp, e.toString());
                }
            }
            own(resolved);
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            giveUp(partitions, "gave up");
        }

        /**
         * The group took the partitions without a revocation (this member missed its heartbeats). Replies to the
         * requests routed there are still written there: drained like revoked ones, from this consumer's position,
         * which the loss does not erase.
         */
        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            giveUp(partitions, "lost");
        }

        private void giveUp(Collection<TopicPartition> partitions, String how) {
            unresolved.removeAll(partitions);
            long now = clock.millis();
            Map<TopicPartition, Long> deadlines = new HashMap<>();
            synchronized (routing) {
                TreeSet<Integer> left = ownedSet();
                partitions.forEach(tp -> left.remove(tp.partition()));
                owned = left.stream().mapToInt(Integer::intValue).toArray();
                // Final once the partition is no longer owned: no request can be routed to it any more.
                partitions.forEach(tp -> deadlines.put(tp, lastDeadline.getOrDefault(tp.partition(), 0L)));
            }
            deadlines.forEach((tp, deadline) -> { // outside the lock: callers routing requests need not wait for I/O
                if (deadline > now) {
                    try {
                        drainer.add(tp, consumer.position(tp, Duration.ofSeconds(1)), deadline);
                    } catch (RuntimeException e) {
                        LOG.warn("requester {} reply partition {} and cannot tell where it stopped reading; "
                                + "replies written there before {} may time out: {}", how, tp, deadline, e.toString());
                    }
                }
            });
            if (!partitions.isEmpty()) {
                LOG.info("requester {} reply partitions {} of topic '{}'; reading on until their requests expire",
                        how, partitions, topic);
            }
        }
    }
}
