package io.courier.cluster.internal;

import io.courier.common.CourierException;
import java.time.Duration;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.utils.Time;

/** A node that runs in this JVM: fast to start, but it cannot crash without taking the JVM along. */
final class InProcessNode implements ClusterNode {
    private final NodeSpec spec;
    /** The started server; guarded by this. */
    private KafkaRaftServer server;
    /** Set by abandon(): a start shuts its server down instead of keeping it. Guarded by this. */
    private boolean abandoned;

    InProcessNode(NodeSpec spec) {
        this.spec = spec;
    }

    @Override
    public NodeSpec spec() {
        return spec;
    }

    @Override
    public void start(Duration timeout) {
        // startup() blocks until the broker has caught up, and cannot be interrupted (Kafka halts the JVM when an
        // interrupt closes one of its files): a caller that gives up calls abandon(), seen when startup() returns.
        requireNotAbandoned();
        // A controller that cannot bind its port halts the JVM (Kafka treats it as fatal): check it first, so that a
        // port taken since it was picked, or since a stopped node released it, is an exception naming it.
        Ports.requireAvailable(spec.controllerPort(), "the controller listener of node " + spec.nodeId());
        KafkaRaftServer candidate;
        try {
            candidate = new KafkaRaftServer(new KafkaConfig(spec.properties(), false), Time.SYSTEM);
        } catch (RuntimeException e) { // a config or data directory Kafka refuses, before anything runs
            throw new CourierException("node " + spec.nodeId() + " failed to start: " + e.getMessage(), e);
        }
        try {
            candidate.startup();
        } catch (Exception | Error e) { // Exception: Kafka's Scala code throws checked ones, a TimeoutException say
            shutDown(candidate);
            throw new CourierException("node " + spec.nodeId() + " failed to start: " + e.getMessage(), e);
        }
        synchronized (this) {
            if (!abandoned) {
                server = candidate;
                return;
            }
        }
        shutDown(candidate); // leave no broker behind holding the ports of a cluster that gave up on it
        requireNotAbandoned();
    }

    private synchronized void requireNotAbandoned() {
        if (abandoned) {
            throw new CourierException("node " + spec.nodeId() + " was given up on while it started");
        }
    }

    @Override
    public synchronized void abandon() {
        abandoned = true;
    }

    @Override
    public void stop() {
        KafkaRaftServer running;
        synchronized (this) {
            running = server;
            server = null;
        }
        if (running != null) {
            shutDown(running);
        }
    }

    private static void shutDown(KafkaRaftServer server) {
        server.shutdown();
        server.awaitShutdown();
    }

    @Override
    public void kill() {
        throw new IllegalStateException("node " + spec.nodeId() + " runs inside this JVM, so it cannot be crashed; "
                + "start the cluster with ClusterOptions.builder().forkedNodes(true) to crash nodes");
    }

    @Override
    public synchronized boolean isRunning() {
        return server != null;
    }
}
