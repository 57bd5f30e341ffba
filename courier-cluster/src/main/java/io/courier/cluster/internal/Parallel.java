package io.courier.cluster.internal;

import io.courier.common.CourierException;
import io.courier.common.Durations;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Runs one action per node in parallel threads. Multi-node KRaft clusters need this both ways: a node's start-up
 * blocks until the quorum has a leader, and stopping nodes one by one loses the quorum and hangs the last one.
 */
final class Parallel {
    private Parallel() {}

    static void forEach(List<ClusterNode> nodes, String what, Duration timeout, Consumer<ClusterNode> action) {
        forEach(nodes, what, timeout, action, Duration.ZERO);
    }

    /**
     * @param grace how long to wait, after a failure or timeout, for the actions still running to end (each node was
     *              told to give up first, see {@link ClusterNode#abandon()}), so that the caller cleans up after them
     */
    static void forEach(List<ClusterNode> nodes, String what, Duration timeout, Consumer<ClusterNode> action,
            Duration grace) {
        if (nodes.isEmpty()) {
            return;
        }
        ExecutorService pool = Executors.newFixedThreadPool(nodes.size(), r -> {
            Thread t = new Thread(r, "courier-cluster-" + what);
            t.setDaemon(true);
            return t;
        });
        try {
            CompletionService<ClusterNode> done = new ExecutorCompletionService<>(pool);
            Map<Future<ClusterNode>, ClusterNode> running = new HashMap<>();
            for (ClusterNode node : nodes) {
                running.put(done.submit(() -> action.accept(node), node), node);
            }
            long deadline = System.nanoTime() + timeout.toNanos();
            RuntimeException failure = null;
            boolean interrupted = false;
            // In the order the actions end: with a grace (a start), the first failure gives the other nodes up at
            // once and is reported first; without one (a stop), every node's action is waited for.
            while (!running.isEmpty() && (failure == null || grace.isZero())) {
                Future<ClusterNode> next;
                try {
                    next = done.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    // Given up on like a timeout: the nodes still starting must not outlive the caller's clean-up.
                    interrupted = true;
                    failure = merge(failure, new CourierException("interrupted during " + what, e));
                    break;
                }
                if (next == null) {
                    failure = merge(failure, new CourierException(what + " of node(s) " + ids(running.values())
                            + " did not finish within " + Durations.format(timeout)));
                    break;
                }
                ClusterNode node = running.remove(next);
                RuntimeException nodeFailure = failureOf(next, node, what);
                if (nodeFailure != null) {
                    failure = merge(failure, nodeFailure);
                }
            }
            if (failure != null) {
                if (!grace.isZero()) {
                    nodes.forEach(ClusterNode::abandon);
                    pool.shutdown();
                    awaitQuietly(pool, grace);
                }
                // What the other nodes said by now, a forked node's log tail say, belongs to the report.
                for (Map.Entry<Future<ClusterNode>, ClusterNode> other : running.entrySet()) {
                    if (other.getKey().isDone()) {
                        RuntimeException more = failureOf(other.getKey(), other.getValue(), what);
                        if (more != null) {
                            failure.addSuppressed(more);
                        }
                    }
                }
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
                throw failure;
            }
        } finally {
            // No interrupt for what is still running: Kafka's start-up halts the JVM when an interrupt closes one of
            // its files (ProcessTerminatingFaultHandler). A node whose start is given up on shuts itself down once
            // the start ends, because the cluster stops it (see the nodes' stop()).
            pool.shutdown();
        }
    }

    /** Waits out the grace even when interrupted (again): what it waits for cannot be hurried, only abandoned. */
    private static void awaitQuietly(ExecutorService pool, Duration grace) {
        long deadline = System.nanoTime() + grace.toNanos();
        boolean interrupted = false;
        while (true) {
            try {
                pool.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static RuntimeException merge(RuntimeException first, RuntimeException next) {
        if (first == null) {
            return next;
        }
        first.addSuppressed(next);
        return first;
    }

    /** The failure of a finished action, or null when it succeeded. */
    private static RuntimeException failureOf(Future<ClusterNode> future, ClusterNode node, String what) {
        try {
            future.get();
            return null;
        } catch (ExecutionException e) {
            return e.getCause() instanceof RuntimeException r ? r
                    : new CourierException(what + " of node " + node.spec().nodeId() + " failed: " + e.getCause(),
                            e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // cannot happen for a finished future; keep the flag if it does
            return new CourierException("interrupted during " + what, e);
        }
    }

    private static List<Integer> ids(Collection<ClusterNode> nodes) {
        return nodes.stream().map(n -> n.spec().nodeId()).sorted().toList();
    }
}
