package io.courier.cluster.internal;

import io.courier.cluster.ClusterOptions;
import io.courier.cluster.ClusterSecurity;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/** Builds each node's broker configuration: combined broker + controller, static controller quorum. */
final class NodeConfigs {
    static final String HOST = "localhost";
    private static final long IN_PROCESS_MIN_STARTUP_MILLIS = 60_000;
    static final String BROKER_LISTENER = "BROKER";
    static final String CONTROLLER_LISTENER = "CONTROLLER";

    private NodeConfigs() {}

    static List<NodeSpec> specs(ClusterOptions options, Path dataDir, int[] brokerPorts, int[] controllerPorts,
            TlsMaterial tls) {
        String voters = IntStream.range(0, options.nodes())
                .mapToObj(i -> i + "@" + HOST + ":" + controllerPorts[i])
                .collect(Collectors.joining(","));
        return IntStream.range(0, options.nodes())
                .mapToObj(i -> {
                    Path dir = dataDir.resolve("node-" + i);
                    Map<String, String> p = base(i, options.nodes(), voters, brokerPorts[i], controllerPorts[i], dir);
                    options.security().ifPresent(s -> p.putAll(security(s, tls)));
                    p.put("server.max.startup.time.ms", Long.toString(maxStartupMillis(options)));
                    p.putAll(options.brokerProperties());
                    return new NodeSpec(i, brokerPorts[i], controllerPorts[i], dir, p);
                })
                .toList();
    }

    /**
     * Kafka's default is no limit: a node waiting for a quorum that never forms would run, and hold its ports, after
     * the cluster gave up on it. But a controller that misses this limit halts its JVM (its start-up fault handler
     * terminates the process): fine for a forked node, whose parent reports it, while an in-process node gets at
     * least a minute, far beyond what a controller takes to start, so that only its broker, which shuts down
     * instead, can run out of time.
     */
    private static long maxStartupMillis(ClusterOptions options) {
        long millis = Math.max(1, options.startTimeout().toMillis());
        return options.forkedNodes() ? millis : Math.max(millis, IN_PROCESS_MIN_STARTUP_MILLIS);
    }

    private static Map<String, String> base(int id, int nodes, String voters, int brokerPort, int controllerPort,
            Path dir) {
        String rf = Integer.toString(Math.min(3, nodes));
        String minIsr = Integer.toString(Math.min(2, nodes));
        Map<String, String> p = new LinkedHashMap<>();
        p.put("process.roles", "broker,controller");
        p.put("node.id", Integer.toString(id));
        p.put("controller.quorum.voters", voters);
        p.put("listeners", BROKER_LISTENER + "://" + HOST + ":" + brokerPort + ","
                + CONTROLLER_LISTENER + "://" + HOST + ":" + controllerPort);
        p.put("advertised.listeners", BROKER_LISTENER + "://" + HOST + ":" + brokerPort);
        p.put("listener.security.protocol.map", BROKER_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        p.put("inter.broker.listener.name", BROKER_LISTENER);
        p.put("controller.listener.names", CONTROLLER_LISTENER);
        p.put("log.dirs", dir.toString());
        p.put("metadata.log.dir", dir.toString());
        // Internal topics default to RF 3 and would never be created on fewer nodes.
        p.put("offsets.topic.replication.factor", rf);
        p.put("transaction.state.log.replication.factor", rf);
        p.put("transaction.state.log.min.isr", minIsr);
        p.put("share.coordinator.state.topic.replication.factor", rf);
        p.put("share.coordinator.state.topic.min.isr", minIsr);
        // A topic created without a replication factor is replicated as the internal ones are: on three nodes a
        // dev cluster should behave like the production clusters it stands in for.
        p.put("default.replication.factor", rf);
        p.put("group.initial.rebalance.delay.ms", "0");
        // The log cleaner allocates this buffer on the heap at start-up: Kafka's 128 MB default alone would not
        // fit a 256 MB heap, and three in-process nodes would hold 384 MB. 16 MB still compacts ~600k keys a pass.
        p.put("log.cleaner.dedupe.buffer.size", Integer.toString(16 * 1024 * 1024));
        return p;
    }

    private static Map<String, String> security(ClusterSecurity s, TlsMaterial tls) {
        String brokerProtocol = s.protocol().name();
        Map<String, String> p = new LinkedHashMap<>();
        p.put("listener.security.protocol.map",
                BROKER_LISTENER + ":" + brokerProtocol + "," + CONTROLLER_LISTENER + ":SASL_PLAINTEXT");
        p.put("sasl.mechanism.inter.broker.protocol", "SCRAM-SHA-512");
        // PLAIN on the controller listener: SCRAM credentials live in the metadata log the controllers serve.
        p.put("sasl.mechanism.controller.protocol", "PLAIN");
        p.put("listener.name.broker.sasl.enabled.mechanisms", "SCRAM-SHA-512");
        p.put("listener.name.controller.sasl.enabled.mechanisms", "PLAIN");
        p.put("listener.name.broker.scram-sha-512.sasl.jaas.config", Jaas.scram(s.adminUser(), s.adminPassword()));
        p.put("listener.name.controller.plain.sasl.jaas.config",
                "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + s.adminUser()
                        + "\" password=\"" + s.adminPassword() + "\" user_" + s.adminUser() + "=\""
                        + s.adminPassword() + "\";");
        p.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
        p.put("super.users", "User:" + s.adminUser());
        p.put("allow.everyone.if.no.acl.found", "false");
        if (s.protocol() == ClusterSecurity.Protocol.SASL_SSL) {
            p.put("ssl.keystore.type", "PEM");
            p.put("ssl.keystore.certificate.chain", tls.certificatePem());
            p.put("ssl.keystore.key", tls.privateKeyPem());
            p.put("ssl.truststore.type", "PEM");
            p.put("ssl.truststore.certificates", tls.certificatePem());
        }
        return p;
    }
}
