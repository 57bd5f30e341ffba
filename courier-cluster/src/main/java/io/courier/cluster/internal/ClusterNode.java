package io.courier.cluster.internal;

import java.time.Duration;

/** One combined broker + controller node, in this JVM or a child JVM. Callers serialize life-cycle calls. */
interface ClusterNode {

    NodeSpec spec();

    /** Starts the node and returns once its broker has caught up with the metadata log. */
    void start(Duration timeout);

    /** Controlled shutdown; returns once the node has stopped. */
    void stop();

    /** Kills the node without any shutdown. */
    void kill();

    /**
     * Gives up on this node's start, from another thread than the one starting it: a start under way, or one not yet
     * begun, ends by shutting the node down again instead of leaving it running. For a cluster whose start failed;
     * the node is not started again.
     */
    void abandon();

    boolean isRunning();
}
