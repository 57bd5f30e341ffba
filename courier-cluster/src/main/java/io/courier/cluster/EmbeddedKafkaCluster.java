package io.courier.cluster;

import io.courier.cluster.internal.DefaultEmbeddedKafkaCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;

/**
 * A real Apache Kafka cluster in KRaft mode (combined broker and controller nodes), started from the Kafka jars on
 * the class path, for development, tests, demos and benchmarks.
 *
 * <p>Nodes run in this JVM by default. With {@link ClusterOptions.Builder#forkedNodes(boolean)} each node runs in a
 * child JVM of its own, so that {@link #crashNode(int)} can kill it with SIGKILL.
 *
 * <p>Thread-safety: all methods may be called from any thread; node life-cycle calls are serialized.
 */
public interface EmbeddedKafkaCluster extends AutoCloseable {

    /**
     * Starts a one-node cluster on free ports with a temporary data directory.
     *
     * @return a running cluster whose brokers are all registered
     * @throws io.courier.common.CourierException if the cluster does not start; the message says why
     */
    static EmbeddedKafkaCluster start() {
        return start(ClusterOptions.defaults());
    }

    /**
     * Starts a cluster as the options describe; nodes of a multi-node cluster start in parallel.
     *
     * @param options what to start
     * @return a running cluster whose brokers are all registered
     * @throws io.courier.common.CourierException if the cluster does not start (a port in use, a data directory
     *     that is not writable, a node that fails to start); no node is left running in that case
     */
    static EmbeddedKafkaCluster start(ClusterOptions options) {
        return DefaultEmbeddedKafkaCluster.start(options);
    }

    /** @return the version of the Apache Kafka jars that embedded clusters run, for instance {@code 4.4.0} */
    static String kafkaVersion() {
        return DefaultEmbeddedKafkaCluster.kafkaVersion();
    }

    /** @return the {@code bootstrap.servers} value that reaches every node, for instance {@code localhost:9092} */
    String bootstrapServers();

    /** @return the KRaft cluster id, stable across restarts on the same data directory */
    String clusterId();

    /** @return the node ids, {@code 0 .. n-1} */
    List<Integer> nodeIds();

    /** @return the directory that holds every node's data and log files */
    Path dataDirectory();

    /** @return how long {@link #start(ClusterOptions)} took, from the first check to all brokers registered */
    Duration startupTime();

    /**
     * Client properties that connect as the cluster's admin user: {@code bootstrap.servers} plus the security
     * settings when the cluster is secured. Usable for producers, consumers and admin clients alike.
     *
     * @return a new mutable map
     */
    Map<String, Object> clientProperties();

    /**
     * Client properties that connect as the given SCRAM user; on an unsecured cluster, the same as
     * {@link #clientProperties()}.
     *
     * @param user     the SCRAM-SHA-512 user name
     * @param password the password
     * @return a new mutable map
     */
    Map<String, Object> clientProperties(String user, String password);

    /**
     * A shared admin client connected as the admin user; closed by {@link #close()}.
     *
     * @return the admin client
     */
    Admin admin();

    /**
     * Creates a topic and waits until every partition has a leader.
     *
     * @param topic             a legal Kafka topic name
     * @param partitions        at least 1
     * @param replicationFactor between 1 and the number of running brokers
     * @param configs           topic configs such as {@code min.insync.replicas}; may be empty
     * @throws IllegalArgumentException if the name is illegal or the replication factor cannot be met
     * @throws io.courier.common.CourierException if Kafka refuses the topic (it exists already, for instance)
     */
    void createTopic(String topic, int partitions, int replicationFactor, Map<String, String> configs);

    /**
     * Same as {@link #createTopic(String, int, int, Map)} with no topic configs.
     *
     * @param topic             a legal Kafka topic name
     * @param partitions        at least 1
     * @param replicationFactor between 1 and the number of running brokers
     */
    default void createTopic(String topic, int partitions, int replicationFactor) {
        createTopic(topic, partitions, replicationFactor, Map.of());
    }

    /**
     * Waits for and returns the id of the node that leads a partition.
     *
     * @param topic     the topic
     * @param partition the partition
     * @param timeout   how long to wait for a leader
     * @return the leader's node id
     * @throws io.courier.common.CourierRetriableException if no leader is known within the timeout, saying so, or
     *                                                     that the topic does not exist
     */
    int leaderOf(String topic, int partition, Duration timeout);

    /**
     * Stops a node gracefully: a controlled shutdown that moves its partition leaderships away first.
     *
     * @param nodeId a node id of this cluster
     * @throws IllegalArgumentException if there is no such node
     * @throws IllegalStateException if the node is not running, or if fewer nodes run than a controller quorum
     *                               needs (the last of two, say), whose controlled shutdown would wait minutes
     */
    void stopNode(int nodeId);

    /**
     * Kills a node without any shutdown (SIGKILL of its JVM): no controlled shutdown, no flush, no goodbye to the
     * controller, which notices only when the node's session times out.
     *
     * @param nodeId a node id of this cluster
     * @throws IllegalArgumentException if there is no such node
     * @throws IllegalStateException if the node is not running, or the cluster runs its nodes in this JVM
     */
    void crashNode(int nodeId);

    /**
     * Starts a stopped or crashed node again, on the same ports and data, and waits until it is registered.
     *
     * @param nodeId a node id of this cluster
     * @throws IllegalArgumentException if there is no such node
     * @throws IllegalStateException if the node is running
     */
    void restartNode(int nodeId);

    /**
     * @param nodeId a node id of this cluster
     * @return whether the node is running
     */
    boolean isRunning(int nodeId);

    /**
     * Stops every running node in parallel and, unless the data directory was given, deletes it. Idempotent.
     */
    @Override
    void close();
}
