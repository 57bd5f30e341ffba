package io.courier.cluster.internal;

import io.courier.common.CourierException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
            List<Future<?>> futures = new ArrayList<>();
            for (ClusterNode node : nodes) {
                futures.add(pool.submit(() -> action.accept(node)));
            }
            long deadline = System.nanoTime() + timeout.toNanos();
            RuntimeException failure = null;
            for (int i = 0; i < futures.size(); i++) {
                try {
                    futures.get(i).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (ExecutionException e) {
                    failure = merge(failure, e.getCause() instanceof RuntimeException r ? r
                            : new CourierException(what + " of node " + nodes.get(i).spec().nodeId() + " failed: "
                                    + e.getCause(), e.getCause()));
                } catch (TimeoutException e) {
                    failure = merge(failure, new CourierException(what + " of node " + nodes.get(i).spec().nodeId()
                            + " did not finish within " + timeout));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new CourierException("interrupted during " + what, e);
                }
            }
            if (failure != null) {
                if (!grace.isZero()) {
                    nodes.forEach(ClusterNode::abandon);
                    pool.shutdown();
                    awaitQuietly(pool, grace);
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

    private static void awaitQuietly(ExecutorService pool, Duration grace) {
        try {
            pool.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
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
}
