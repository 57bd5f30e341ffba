package io.courier.cluster.internal;

import static io.courier.common.Preconditions.requireArgument;
import static io.courier.common.Preconditions.requireState;

import io.courier.cluster.ClusterOptions;
import io.courier.cluster.ClusterSecurity;
import io.courier.cluster.EmbeddedKafkaCluster;
import io.courier.common.CourierException;
import io.courier.common.CourierRetriableException;
import io.courier.common.Durations;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Optional;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.AuthenticationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The {@link EmbeddedKafkaCluster} implementation. */
public final class DefaultEmbeddedKafkaCluster implements EmbeddedKafkaCluster {
    private static final Logger LOG = LoggerFactory.getLogger(DefaultEmbeddedKafkaCluster.class);
    private static final Duration STOP_TIMEOUT = Duration.ofMinutes(3);
    /** Beyond a node's own start timeout, for it to report why it gave up; and the least time to register. */
    private static final Duration START_SLACK = Duration.ofSeconds(15);
    /** Counted down when the first close() has stopped the nodes and deleted a temporary data directory. */
    private final CountDownLatch closeDone = new CountDownLatch(1);

    private final ClusterOptions options;
    private final Path dataDir;
    private final boolean temporaryDataDir;
    private final String clusterId;
    private final List<ClusterNode> nodes;
    private final String bootstrapServers;
    private final TlsMaterial tls;
    private Duration startupTime = Duration.ZERO;
    private Admin admin;
    private boolean closed;

    private DefaultEmbeddedKafkaCluster(ClusterOptions options, Path dataDir, boolean temporaryDataDir,
            String clusterId, List<ClusterNode> nodes, TlsMaterial tls) {
        this.options = options;
        this.dataDir = dataDir;
        this.temporaryDataDir = temporaryDataDir;
        this.clusterId = clusterId;
        this.nodes = List.copyOf(nodes);
        this.tls = tls;
        this.bootstrapServers = nodes.stream()
                .map(n -> NodeConfigs.HOST + ":" + n.spec().brokerPort())
                .collect(Collectors.joining(","));
    }

    /** See {@link EmbeddedKafkaCluster#start(ClusterOptions)}. */
    public static EmbeddedKafkaCluster start(ClusterOptions options) {
        Objects.requireNonNull(options, "options");
        long begin = System.nanoTime();
        int n = options.nodes();
        int[] brokerPorts;
        int[] controllerPorts;
        if (options.port() == 0) {
            int[] free = Ports.free(2 * n);
            brokerPorts = java.util.Arrays.copyOfRange(free, 0, n);
            controllerPorts = java.util.Arrays.copyOfRange(free, n, 2 * n);
        } else {
            brokerPorts = IntStream.range(0, n).map(i -> options.port() + i).toArray();
            for (int i = 0; i < n; i++) {
                Ports.requireAvailable(brokerPorts[i], "the broker listener of node " + i);
            }
            Set<Integer> taken = IntStream.of(brokerPorts).boxed().collect(Collectors.toSet());
            controllerPorts = IntStream.of(Ports.free(2 * n)).filter(p -> !taken.contains(p)).limit(n).toArray();
        }
        boolean temporary = options.dataDirectory().isEmpty();
        Path dataDir = options.dataDirectory().map(DataDirectories::requireWritable).orElseGet(DataDirectories::temporary);
        boolean started = false; // from then on, close() decides whether the directory can go
        try {
            TlsMaterial tls = options.security()
                    .filter(s -> s.protocol() == ClusterSecurity.Protocol.SASL_SSL)
                    .map(s -> TlsMaterial.generate(dataDir))
                    .orElse(null);
            List<NodeSpec> specs = NodeConfigs.specs(options, dataDir, brokerPorts, controllerPorts, tls);
            String adminUser = options.security().map(ClusterSecurity::adminUser).orElse(null);
            StorageFormatter.requireSameLayout(dataDir, n, adminUser,
                    options.security().map(ClusterSecurity::adminPassword).orElse(null));
            Optional<String> existingId = StorageFormatter.existingClusterId(specs.get(0).directory());
            String clusterId = existingId.orElseGet(() -> Uuid.randomUuid().toString());
            List<String> scram = options.security()
                    .map(s -> List.of("SCRAM-SHA-512=[name=" + s.adminUser() + ",password=" + s.adminPassword() + "]"))
                    .orElse(List.of());
            List<ClusterNode> nodes = new ArrayList<>();
            for (NodeSpec spec : specs) {
                DataDirectories.requireWritable(spec.directory());
                StorageFormatter.formatIfNeeded(spec, clusterId, scram);
                nodes.add(options.forkedNodes() ? new ForkedNode(spec, options.forkedNodeHeap(), dataDir)
                        : new InProcessNode(spec));
            }
            DefaultEmbeddedKafkaCluster cluster =
                    new DefaultEmbeddedKafkaCluster(options, dataDir, temporary, clusterId, nodes, tls);
            started = true;
            cluster.startAll();
            cluster.startupTime = Duration.ofNanos(System.nanoTime() - begin);
            LOG.info("Kafka cluster {} with {} node(s) started in {} ms at {}", clusterId, n,
                    cluster.startupTime.toMillis(), cluster.bootstrapServers);
            return cluster;
        } catch (RuntimeException | Error e) { // an Error too: Kafka's logging refuses to start during a JVM shutdown
            if (temporary && !started) {
                DataDirectories.deleteRecursively(dataDir);
            }
            throw e;
        }
    }

    /** See {@link EmbeddedKafkaCluster#kafkaVersion()}. */
    public static String kafkaVersion() {
        // The same resource that Kafka's own AppInfoParser reads, without depending on that internal class.
        try (java.io.InputStream in = Admin.class.getResourceAsStream("/kafka/kafka-version.properties")) {
            java.util.Properties props = new java.util.Properties();
            if (in != null) {
                props.load(in);
            }
            return props.getProperty("version", "unknown");
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }

    private void startAll() {
        long deadline = System.nanoTime() + options.startTimeout().toNanos();
        try {
            // On a failure, every node is given up on and the starts still running get STOP_TIMEOUT to end, before
            // close() below deletes a temporary data directory under them. The nodes' own time limit comes first,
            // so that the failure names a node's reason (a forked node's log) rather than the wait for it.
            Parallel.forEach(nodes, "start", options.startTimeout().plus(slack()),
                    node -> node.start(options.startTimeout()), STOP_TIMEOUT);
            awaitRegistered(nodeIds(), remaining(deadline));
        } catch (RuntimeException | Error e) {
            try {
                close();
            } catch (RuntimeException | Error cleanup) {
                e.addSuppressed(cleanup); // the start's failure is the news; the clean-up's comes with it
            }
            throw e;
        }
    }

    /** What is left until the deadline, but time for at least one answer from the brokers. */
    private Duration remaining(long deadline) {
        Duration left = Duration.ofNanos(deadline - System.nanoTime());
        return left.compareTo(slack()) < 0 ? slack() : left;
    }

    /** START_SLACK, or the start timeout if that is shorter: a short timeout is meant short. */
    private Duration slack() {
        return options.startTimeout().compareTo(START_SLACK) < 0 ? options.startTimeout() : START_SLACK;
    }

    @Override
    public String bootstrapServers() {
        return bootstrapServers;
    }

    @Override
    public String clusterId() {
        return clusterId;
    }

    @Override
    public List<Integer> nodeIds() {
        return IntStream.range(0, nodes.size()).boxed().toList();
    }

    @Override
    public Path dataDirectory() {
        return dataDir;
    }

    @Override
    public Duration startupTime() {
        return startupTime;
    }

    @Override
    public Map<String, Object> clientProperties() {
        return options.security()
                .map(s -> clientProperties(s.adminUser(), s.adminPassword()))
                .orElseGet(() -> new HashMap<>(Map.of("bootstrap.servers", bootstrapServers)));
    }

    @Override
    public Map<String, Object> clientProperties(String user, String password) {
        Map<String, Object> props = new HashMap<>();
        props.put("bootstrap.servers", bootstrapServers);
        options.security().ifPresent(s -> {
            props.put("security.protocol", s.protocol().name());
            props.put("sasl.mechanism", "SCRAM-SHA-512");
            props.put("sasl.jaas.config", Jaas.scram(user, password));
            if (tls != null) {
                props.put("ssl.truststore.type", "PEM");
                props.put("ssl.truststore.certificates", tls.certificatePem());
            }
        });
        return props;
    }

    @Override
    public synchronized Admin admin() {
        requireState(!closed, "the cluster at %s is closed", bootstrapServers);
        if (admin == null) {
            admin = Admin.create(clientProperties());
        }
        return admin;
    }

    @Override
    public void createTopic(String topic, int partitions, int replicationFactor, Map<String, String> configs) {
        Objects.requireNonNull(topic, "topic");
        int running = (int) nodes.stream().filter(ClusterNode::isRunning).count();
        TopicAdmin.create(admin(), running, topic, partitions, replicationFactor, configs);
    }

    @Override
    public int leaderOf(String topic, int partition, Duration timeout) {
        return TopicAdmin.leaderOf(admin(), topic, partition, timeout);
    }

    @Override
    public synchronized void stopNode(int nodeId) {
        ClusterNode node = requireRunning(nodeId);
        long running = nodes.stream().filter(ClusterNode::isRunning).count();
        // A controlled shutdown waits for an active controller, 5 minutes in Kafka, while this lock holds up every
        // other call: without a quorum there is none to wait for.
        requireState(running >= nodes.size() / 2 + 1, "node %d cannot shut down gracefully: only %d of %d nodes "
                + "run, fewer than a controller quorum needs, so its controlled shutdown would wait minutes for a "
                + "controller; close() the cluster, restart a node first, or crash it (forked nodes)", nodeId,
                running, nodes.size());
        node.stop();
    }

    @Override
    public synchronized void crashNode(int nodeId) {
        requireRunning(nodeId).kill();
    }

    @Override
    public synchronized void restartNode(int nodeId) {
        ClusterNode node = node(nodeId);
        requireState(!closed, "the cluster at %s is closed", bootstrapServers);
        requireState(!node.isRunning(), "node %d is running; stop or crash it before restarting it", nodeId);
        long deadline = System.nanoTime() + options.startTimeout().toNanos();
        node.start(options.startTimeout());
        awaitRegistered(List.of(nodeId), remaining(deadline));
    }

    @Override
    public synchronized boolean isRunning(int nodeId) {
        return node(nodeId).isRunning();
    }

    @Override
    public void close() {
        // A caller's interrupt would end the waits below at once, with the nodes still stopping: keep it for later.
        boolean interrupted = Thread.interrupted();
        try {
            closeOnce();
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void closeOnce() {
        List<ClusterNode> running;
        synchronized (this) {
            running = closed ? null : nodes.stream().filter(ClusterNode::isRunning).toList();
            if (!closed) {
                closed = true;
                if (admin != null) {
                    admin.close(Duration.ofSeconds(5));
                }
            }
        }
        if (running == null) {
            awaitClosed(); // a second caller (a shutdown hook, say) returns once the data is gone, not before
            return;
        }
        boolean stopped = false;
        try {
            Parallel.forEach(withQuorum(running), "stop", STOP_TIMEOUT, ClusterNode::stop);
            stopped = true;
        } finally {
            if (temporaryDataDir && stopped) {
                DataDirectories.deleteRecursively(dataDir);
            } else if (temporaryDataDir) {
                // Deleting the files of a broker that is still shutting down can make Kafka halt this JVM.
                LOG.warn("Not deleting {}: a node did not stop within {}", dataDir, Durations.format(STOP_TIMEOUT));
            }
            closeDone.countDown();
        }
    }

    /**
     * The nodes to stop: the running ones, and, when they are too few for a controller quorum, the stopped ones
     * started again first. Without a quorum, a broker's controlled shutdown waits 5 minutes for a controller.
     */
    private List<ClusterNode> withQuorum(List<ClusterNode> running) {
        int majority = nodes.size() / 2 + 1;
        if (running.isEmpty() || running.size() >= majority) {
            return running;
        }
        List<ClusterNode> stopped = nodes.stream().filter(n -> !running.contains(n)).toList();
        LOG.info("Starting node(s) {} again so that the running ones can shut down with a controller quorum",
                stopped.stream().map(n -> n.spec().nodeId()).toList());
        try {
            Parallel.forEach(stopped, "start", options.startTimeout().plus(slack()),
                    node -> node.start(options.startTimeout()), STOP_TIMEOUT);
        } catch (RuntimeException e) {
            LOG.warn("Could not start the stopped nodes again, so the others may not stop within {}: {}",
                    Durations.format(STOP_TIMEOUT), e.getMessage());
        }
        return nodes.stream().filter(ClusterNode::isRunning).toList();
    }

    private void awaitClosed() {
        try {
            // As long as a first close() can take: restarting nodes for a quorum, then stopping them all.
            Duration longest = options.startTimeout().plus(START_SLACK).plus(STOP_TIMEOUT).plus(STOP_TIMEOUT);
            closeDone.await(longest.toMillis() + 60_000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private ClusterNode node(int nodeId) {
        requireArgument(nodeId >= 0 && nodeId < nodes.size(), "node %d does not exist; this cluster has nodes %s",
                nodeId, nodeIds());
        return nodes.get(nodeId);
    }

    private ClusterNode requireRunning(int nodeId) {
        ClusterNode node = node(nodeId);
        requireState(!closed, "the cluster at %s is closed", bootstrapServers);
        requireState(node.isRunning(), "node %d is not running", nodeId);
        return node;
    }

    private void awaitRegistered(Collection<Integer> expected, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Set<Integer> registered = Set.of();
        CourierException lastError = null;
        while (System.nanoTime() < deadline) {
            try {
                Collection<Node> live = TopicAdmin.await(admin().describeCluster().nodes(), "describe the cluster");
                registered = live.stream().map(Node::id).collect(Collectors.toSet());
                if (registered.containsAll(expected)) {
                    return;
                }
            } catch (CourierException e) {
                if (e.getCause() instanceof AuthenticationException) {
                    // Waiting cannot mend it: a kept data directory whose users predate --security, say.
                    throw new CourierException("brokers " + expected + " at " + bootstrapServers
                            + " refused the admin user: " + e.getCause().getMessage(), e.getCause());
                }
                LOG.debug("cluster not ready yet: {}", e.getMessage());
                lastError = e;
            }
            TopicAdmin.sleep(100);
        }
        // The last error says why, for instance a kept data directory whose users predate --security.
        throw new CourierRetriableException("brokers " + expected + " did not register within "
                + Durations.format(timeout)
                + " (registered: " + registered + ") at " + bootstrapServers
                + (lastError == null ? "" : "; the last error: " + lastError.getMessage()), lastError);
    }
}
