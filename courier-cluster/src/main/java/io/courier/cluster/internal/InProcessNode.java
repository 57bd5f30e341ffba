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
    /** Set by stop(): a start still under way shuts its server down instead of keeping it. Guarded by this. */
    private boolean stopped;

    InProcessNode(NodeSpec spec) {
        this.spec = spec;
    }

    @Override
    public NodeSpec spec() {
        return spec;
    }

    @Override
    public void start(Duration timeout) {
        synchronized (this) {
            stopped = false;
        }
        // startup() blocks until the broker has caught up; the caller bounds it with the timeout, and a caller that
        // gives up calls stop(), which this start may not see until startup() returns.
        KafkaRaftServer candidate = new KafkaRaftServer(new KafkaConfig(spec.properties(), false), Time.SYSTEM);
        try {
            candidate.startup();
        } catch (RuntimeException e) {
            shutDown(candidate);
            throw new CourierException("node " + spec.nodeId() + " failed to start: " + e.getMessage(), e);
        }
        synchronized (this) {
            if (!stopped) {
                server = candidate;
                return;
            }
        }
        shutDown(candidate); // the cluster gave up on this start: leave no broker behind holding the ports
        throw new CourierException("node " + spec.nodeId() + " was stopped while it started");
    }

    @Override
    public void stop() {
        KafkaRaftServer running;
        synchronized (this) {
            stopped = true;
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
