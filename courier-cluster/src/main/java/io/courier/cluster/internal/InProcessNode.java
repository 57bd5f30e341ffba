package io.courier.cluster.internal;

import io.courier.common.CourierException;
import java.time.Duration;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.utils.Time;

/** A node that runs in this JVM: fast to start, but it cannot crash without taking the JVM along. */
final class InProcessNode implements ClusterNode {
    private final NodeSpec spec;
    private KafkaRaftServer server;

    InProcessNode(NodeSpec spec) {
        this.spec = spec;
    }

    @Override
    public NodeSpec spec() {
        return spec;
    }

    @Override
    public void start(Duration timeout) {
        // startup() blocks until the broker has caught up; the caller bounds it with the timeout.
        KafkaRaftServer candidate = new KafkaRaftServer(new KafkaConfig(spec.properties(), false), Time.SYSTEM);
        try {
            candidate.startup();
        } catch (RuntimeException e) {
            candidate.shutdown();
            candidate.awaitShutdown();
            throw new CourierException("node " + spec.nodeId() + " failed to start: " + e.getMessage(), e);
        }
        server = candidate;
    }

    @Override
    public void stop() {
        KafkaRaftServer running = server;
        server = null;
        if (running != null) {
            running.shutdown();
            running.awaitShutdown();
        }
    }

    @Override
    public void kill() {
        throw new IllegalStateException("node " + spec.nodeId() + " runs inside this JVM, so it cannot be crashed; "
                + "start the cluster with ClusterOptions.builder().forkedNodes(true) to crash nodes");
    }

    @Override
    public boolean isRunning() {
        return server != null;
    }
}
