package io.courier.cli;

import io.courier.cluster.ClusterOptions;
import io.courier.cluster.EmbeddedKafkaCluster;
import io.courier.common.CourierException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * An embedded cluster that the JVM's shutdown (Ctrl-C, SIGTERM) closes, which deletes its temporary data
 * directory, even when the shutdown comes while the cluster is still starting: the shutdown then waits for the start
 * to end, and closes what it started.
 */
final class ClusterOnExit {
    private final CompletableFuture<EmbeddedKafkaCluster> started = new CompletableFuture<>();
    private final Thread hook;
    /** Longer than a start can take (its nodes, then their registration, then a failed start's cleanup). */
    private final Duration startWait;
    /** Set when the JVM's shutdown began; guarded by this. */
    private boolean shuttingDown;

    private ClusterOnExit(ClusterOptions options, Runnable beforeClose, Runnable afterClose) {
        this.startWait = options.startTimeout().multipliedBy(2).plusMinutes(4);
        this.hook = new Thread(() -> {
            synchronized (this) {
                shuttingDown = true;
            }
            EmbeddedKafkaCluster cluster = startedOrNull();
            if (cluster != null) {
                beforeClose.run();
                cluster.close();
                afterClose.run();
            }
        }, "courier-cluster-stop");
    }

    /**
     * @param options             the cluster to start
     * @param stoppedDuringStart  receives the message to print when a shutdown (Ctrl-C) stopped the start; the JVM
     *                            waits for it to return
     * @param beforeClose         run by a shutdown before it closes the cluster (a message, say)
     * @param afterClose          run by a shutdown after it closed the cluster
     * @return the started cluster, closed by the JVM's shutdown unless {@link #closeNow} closed it first
     * @throws StoppedDuringStart after {@code stoppedDuringStart} reported it
     */
    static ClusterOnExit start(ClusterOptions options, Consumer<String> stoppedDuringStart, Runnable beforeClose,
            Runnable afterClose) {
        ClusterOnExit onExit = new ClusterOnExit(options, beforeClose, afterClose);
        Runtime.getRuntime().addShutdownHook(onExit.hook);
        try {
            onExit.started.complete(EmbeddedKafkaCluster.start(options));
        } catch (RuntimeException | Error e) {
            if (!onExit.removeHook()) {
                // Ctrl-C during the start: Kafka fails to start its parts in a JVM that is shutting down. Said
                // before `started` completes, because the shutdown hook waits for that and the JVM halts once the
                // hook returns: this thread could not print the message afterwards.
                String message = "stopped while the cluster was starting; nothing was left behind";
                try {
                    stoppedDuringStart.accept(message);
                } finally {
                    onExit.started.complete(null);
                }
                throw new StoppedDuringStart(message, e);
            }
            onExit.started.complete(null); // nothing to close: a failed start stops what it started
            throw e;
        }
        return onExit;
    }

    /** A shutdown (Ctrl-C, SIGTERM) stopped the cluster's start; the message was already printed. */
    static final class StoppedDuringStart extends CourierException {
        private static final long serialVersionUID = 1L;

        StoppedDuringStart(String message, Throwable cause) {
            super(message, cause);
        }
    }

    EmbeddedKafkaCluster cluster() {
        return started.join();
    }

    /**
     * Runs {@code announcement} unless the JVM's shutdown has begun, so that a cluster stopped by Ctrl-C during its
     * start is not announced as ready; a shutdown that begins meanwhile waits for it to finish.
     *
     * @return whether it ran
     */
    synchronized boolean announceUnlessStopping(Runnable announcement) {
        if (shuttingDown) {
            return false;
        }
        announcement.run();
        return true;
    }

    /** Closes the cluster now, when the work is done without a shutdown. */
    void closeNow() {
        cluster().close();
        removeHook();
    }

    private EmbeddedKafkaCluster startedOrNull() {
        try {
            return started.get(startWait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (ExecutionException | TimeoutException e) {
            return null;
        }
    }

    /** @return false if the JVM is shutting down (the hook is running, or about to) */
    private boolean removeHook() {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
            return true;
        } catch (IllegalStateException e) {
            return false;
        }
    }
}
