package io.courier.core.internal;

import static io.courier.common.Preconditions.requireArgument;
import static io.courier.common.Preconditions.requireState;

import io.courier.common.CourierException;
import io.courier.common.CourierRetriableException;
import io.courier.common.Durations;
import io.courier.core.Subscriber;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;

/** Runs one {@link SubscriberWorker} per configured thread. */
final class DefaultSubscriber implements Subscriber {
    private static final Duration GRACEFUL = Duration.ofSeconds(30);

    private final String description;
    private final int threads;
    private final IntFunction<SubscriberWorker<?, ?>> workerFactory;
    private final List<SubscriberWorker<?, ?>> workers = new ArrayList<>();
    private final List<Thread> running = new ArrayList<>();
    private boolean started;
    private boolean closed;
    /** When (System.nanoTime) the first close() gives up on the threads: a later close() waits no longer. */
    private long closeEndsNanos;

    DefaultSubscriber(String description, int threads, IntFunction<SubscriberWorker<?, ?>> workerFactory) {
        this.description = description;
        this.threads = threads;
        this.workerFactory = workerFactory;
    }

    @Override
    public synchronized Subscriber start() {
        requireState(!closed, "%s is closed", description);
        requireState(!started, "%s was started before", description);
        // Every thread's clients first: a client Kafka refuses to create must not leave the others running.
        List<SubscriberWorker<?, ?>> built = new ArrayList<>();
        try {
            for (int i = 0; i < threads; i++) {
                built.add(workerFactory.apply(i));
            }
        } catch (RuntimeException e) {
            built.forEach(SubscriberWorker::closeUnstarted);
            throw e instanceof KafkaException ? new CourierException("cannot start " + description + ": "
                    + e.getMessage(), e) : e;
        }
        started = true;
        for (SubscriberWorker<?, ?> worker : built) {
            Thread t = new Thread(worker, worker.name);
            workers.add(worker);
            running.add(t);
            t.start();
        }
        return this;
    }

    @Override
    public Subscriber awaitAssignment(Duration timeout) {
        List<SubscriberWorker<?, ?>> snapshot;
        synchronized (this) {
            requireState(started, "%s is not started", description);
            snapshot = List.copyOf(workers);
        }
        long deadline = after(System.nanoTime(), timeout);
        try {
            for (SubscriberWorker<?, ?> w : snapshot) {
                while (!w.firstAssignment.await(100, TimeUnit.MILLISECONDS)) {
                    if (w.failure() != null) {
                        throw new CourierException(description + " stopped before it got partitions: "
                                + w.failureHint(), w.failure());
                    }
                    if (System.nanoTime() > deadline) {
                        throw new CourierRetriableException(description + " got no partitions within "
                                + Durations.format(timeout)
                                + " (the group may have more members than the topic has partitions)");
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CourierRetriableException("interrupted while waiting for the assignment of " + description, e);
        }
        return this;
    }

    @Override
    public synchronized Set<TopicPartition> assignedPartitions() {
        Set<TopicPartition> all = new HashSet<>();
        workers.forEach(w -> all.addAll(w.assigned()));
        return all;
    }

    @Override
    public synchronized boolean isRunning() {
        return running.stream().anyMatch(Thread::isAlive);
    }

    @Override
    public void close() {
        close(GRACEFUL);
    }

    @Override
    public void close(Duration timeout) {
        requireArgument(timeout != null && !timeout.isNegative(), "timeout must be zero or more, but was %s", timeout);
        // A caller's interrupt would cut the graceful wait short: keep it for after.
        boolean interrupted = Thread.interrupted();
        try {
            closeWithin(timeout);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void closeWithin(Duration timeout) {
        List<Thread> threads;
        List<SubscriberWorker<?, ?>> stopping;
        long firstCloseEnds;
        synchronized (this) {
            threads = List.copyOf(running); // running.get(i) runs workers.get(i)
            if (closed) {
                stopping = null;
            } else {
                closed = true;
                closeEndsNanos = after(after(System.nanoTime(), timeout), Duration.ofSeconds(30));
                workers.forEach(SubscriberWorker::stop);
                workers.forEach(SubscriberWorker::wakeup);
                stopping = List.copyOf(workers);
            }
            firstCloseEnds = closeEndsNanos;
        }
        if (stopping == null) {
            // Another caller is closing (a shutdown hook, say): returning at once would let the JVM end while the
            // threads still commit. A handler closing its own subscriber again cannot wait for its own thread.
            if (!threads.contains(Thread.currentThread())) {
                for (Thread t : threads) {
                    joinUntil(t, firstCloseEnds); // as long as the first close may take, no longer
                }
            }
            return;
        }
        long deadline = after(System.nanoTime(), timeout);
        for (int i = 0; i < threads.size(); i++) {
            Thread t = threads.get(i);
            if (t == Thread.currentThread()) {
                continue; // a handler closing its own subscriber: its thread stops once the handler returns
            }
            joinUntil(t, deadline);
            if (t.isAlive()) {
                // In-flight work did not finish in time: what it did not commit is redelivered, not dead-lettered.
                stopping.get(i).interruptForClose(t);
            }
        }
        List<Thread> threadsToJoin = threads.stream().filter(t -> t != Thread.currentThread()).toList();
        long closing = System.nanoTime() + TimeUnit.SECONDS.toNanos(30); // one bound for all, not 30 s a thread
        for (Thread t : threadsToJoin) {
            joinUntil(t, closing);
        }
    }

    /**
     * @return {@code nanoTime} plus {@code d}, saturated: close(Duration.ofMillis(Long.MAX_VALUE)), Kafka's idiom
     *     for waiting without bound, must not overflow
     */
    private static long after(long nanoTime, Duration d) {
        long nanos = Durations.saturatedNanos(d);
        return nanos > Long.MAX_VALUE / 4 ? nanoTime + Long.MAX_VALUE / 4 : nanoTime + nanos;
    }

    private static void joinUntil(Thread t, long deadlineNanos) {
        long millis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime()));
        try {
            t.join(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return description;
    }
}
