package io.courier.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.courier.cluster.junit.ChildJvm;
import io.courier.common.CourierException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Tests that need a cluster of their own: restarts, forked nodes, and start-up failures. */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class StandaloneClustersIT {

    @Test
    void keepsTopicsAndRecordsAcrossARestartOnTheSameDataDirectory(@TempDir Path dir) throws Exception {
        List<String> values = IntStream.range(0, 50).mapToObj(i -> "kept-" + i).toList();
        String clusterId;
        try (EmbeddedKafkaCluster first = EmbeddedKafkaCluster.start(ClusterOptions.builder().dataDirectory(dir).build())) {
            first.createTopic("survivor", 2, 1);
            Records.produce(first.clientProperties(), "survivor", "k", values);
            clusterId = first.clusterId();
        }
        assertThat(dir.resolve("node-0").resolve("meta.properties")).exists();

        try (EmbeddedKafkaCluster second = EmbeddedKafkaCluster.start(ClusterOptions.builder().dataDirectory(dir).build())) {
            assertThat(second.clusterId()).isEqualTo(clusterId);
            assertThat(second.admin().listTopics().names().get(30, TimeUnit.SECONDS)).contains("survivor");
            assertThat(Records.readAll(Records.consumerConfig(second.clientProperties()), "survivor", Duration.ofSeconds(30)))
                    .extracting(ConsumerRecord::value)
                    .containsExactlyElementsOf(values);
        }
    }

    @Test
    void refusesADataDirectoryFormattedForAnotherNodeCountOrWithoutTheAdminAndKeepsItsRecords(@TempDir Path dir)
            throws Exception {
        try (EmbeddedKafkaCluster first = EmbeddedKafkaCluster.start(ClusterOptions.builder().dataDirectory(dir).build())) {
            first.createTopic("survivor", 1, 1);
            Records.produce(first.clientProperties(), "survivor", "k", List.of("kept"));
        }

        CourierException moreNodes = assertThrows(CourierException.class, () -> EmbeddedKafkaCluster.start(
                ClusterOptions.builder().dataDirectory(dir).nodes(3).build()));
        assertThat(moreNodes).hasMessageStartingWith("data directory " + dir.toAbsolutePath().normalize()
                + " holds a cluster of 1 node(s) (node directories [0]), not of 3: start it with 1 node(s) "
                + "(--brokers 1), or use another data directory");
        CourierException secured = assertThrows(CourierException.class, () -> EmbeddedKafkaCluster.start(
                ClusterOptions.builder().dataDirectory(dir).security(ClusterSecurity.saslPlaintext()).build()));
        assertThat(secured).hasMessageContaining("was formatted without security, so the brokers know no credential "
                + "of admin 'admin'").hasMessageContaining("start it without --security");

        try (EmbeddedKafkaCluster again = EmbeddedKafkaCluster.start(ClusterOptions.builder().dataDirectory(dir).build())) {
            assertThat(Records.readAll(Records.consumerConfig(again.clientProperties()), "survivor", Duration.ofSeconds(30)))
                    .extracting(ConsumerRecord::value).containsExactly("kept");
        }
    }

    @Test
    void runsAOneNodeClusterInA256MegabyteHeap() throws Exception {
        ClusterOptions options = ClusterOptions.builder().forkedNodes(true).forkedNodeHeap("256m").build();
        try (EmbeddedKafkaCluster cluster = EmbeddedKafkaCluster.start(options)) {
            cluster.createTopic("small-heap", 1, 1);
            List<String> values = IntStream.range(0, 2_000).mapToObj(i -> "v" + i).toList();
            Records.produce(cluster.clientProperties(), "small-heap", null, values);
            assertThat(Records.readAll(Records.consumerConfig(cluster.clientProperties()), "small-heap",
                    Duration.ofSeconds(30))).hasSize(values.size());
            // The node really is another JVM, started with the small heap.
            String nodeConfig = Files.readString(cluster.dataDirectory().resolve("node-0.properties"));
            assertThat(nodeConfig).contains("node.id=0");
            assertThat(ProcessHandle.current().children().map(StandaloneClustersIT::commandLine))
                    .anySatisfy(args -> assertThat(args).contains("-Xmx256m", "io.courier.cluster.internal.NodeMain"));
        }
        assertThat(ProcessHandle.current().children().filter(ProcessHandle::isAlive)).isEmpty();
        assertThat(ManagementFactory.getRuntimeMXBean().getInputArguments()).doesNotContain("-Xmx256m");
    }

    @Test
    void aForkedNodeExitsWhenTheJvmThatStartedItIsKilled(@TempDir Path dir) throws Exception {
        Process holder = ChildJvm.start(ForkedClusterHolder.class, "256m", dir.toString());
        List<ProcessHandle> nodes;
        try {
            nodes = holder.toHandle().children().toList();
            assertThat(nodes).singleElement().satisfies(node -> assertThat(commandLine(node))
                    .contains("io.courier.cluster.internal.NodeMain"));
        } finally {
            holder.destroyForcibly().waitFor(); // SIGKILL: no shutdown hook of the holder closes the cluster
        }

        // Its node notices that the pipe from its parent closed, and exits on its own.
        assertThat(nodes.get(0).onExit()).succeedsWithin(Duration.ofSeconds(60));
    }

    /** ProcessHandle.Info leaves the arguments out for long command lines; /proc has them all. */
    private static List<String> commandLine(ProcessHandle process) {
        try {
            return List.of(Files.readString(Path.of("/proc", Long.toString(process.pid()), "cmdline")).split("\0"));
        } catch (java.io.IOException e) {
            return process.info().arguments().map(List::of).orElse(List.of());
        }
    }

    @Test
    void failsWithTheReasonWhenTheRequestedPortIsInUse() throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            int port = taken.getLocalPort();
            CourierException e = assertThrows(CourierException.class,
                    () -> EmbeddedKafkaCluster.start(ClusterOptions.builder().port(port).build()));
            assertThat(e).hasMessage("port " + port + " is already in use (wanted for the broker listener of node 0); "
                    + "choose another port, or stop the process that holds it");
        }
    }

    @Test
    void aStartThatTimesOutLeavesNoBrokerHoldingItsPort() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        // No start fits in a nanosecond, however warm the JVM: the cluster gives up while its node is still starting.
        ClusterOptions tooShort = ClusterOptions.builder().port(port).startTimeout(Duration.ofNanos(1)).build();

        assertThrows(CourierException.class, () -> EmbeddedKafkaCluster.start(tooShort));

        // This JVM is still here: the abandoned start used to be interrupted, and Kafka halts the JVM when an
        // interrupt closes one of its files. The start now ends on its own, and nothing stays listening.
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(90)).until(() -> isFree(port));
        // And stays down: a broker that kept its server would still be listening a moment later.
        Thread.sleep(3_000);
        assertThat(isFree(port)).as("port %d after the node's start ended", port).isTrue();
    }

    @Test
    void aNodeWaitingForAQuorumThatNeverFormsGivesUpAndFreesItsPorts(@TempDir Path dir)
            throws Exception {
        int port = freePortPair();
        ClusterOptions twoNodes = ClusterOptions.builder().nodes(2).port(port).dataDirectory(dir)
                .startTimeout(Duration.ofSeconds(20)).build();
        EmbeddedKafkaCluster.start(twoNodes).close();
        // Node 1 now refuses to start, and node 0 waits for a quorum of two that cannot form.
        Path meta = dir.resolve("node-1").resolve("meta.properties");
        Files.writeString(meta, Files.readString(meta).replace("node.id=1", "node.id=0"));

        CourierException e = assertThrows(CourierException.class, () -> EmbeddedKafkaCluster.start(twoNodes));

        assertThat(e).as("the node that failed, first").hasMessageStartingWith("node 1 failed to start: Stored node id 0");
        // Node 0 gave up at server.max.startup.time.ms (Kafka's default is to wait for ever) and shut down.
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60))
                .until(() -> isFree(port) && isFree(port + 1));
        Thread.sleep(3_000);
        assertThat(isFree(port)).as("port %d of node 0 after its start ended", port).isTrue();
    }

    @Test
    void closesATwoNodeClusterWhoseOtherNodeWasStoppedThoughTheQuorumIsLost() {
        EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.start(ClusterOptions.builder().nodes(2).build());
        kafka.stopNode(1);
        Path data = kafka.dataDirectory();
        IllegalStateException last = assertThrows(IllegalStateException.class, () -> kafka.stopNode(0));
        assertThat(last).as("at once, instead of minutes of waiting for a controller").hasMessageStartingWith(
                "node 0 cannot shut down gracefully: only 1 of 2 nodes run, fewer than a controller quorum needs");

        // Without a quorum node 0's controlled shutdown would wait 5 minutes for a controller, and close() would
        // give up after 3 with an exception.
        kafka.close();

        assertThat(data).doesNotExist();
    }

    @Test
    void refusesToRestartANodeOfAClosedCluster(@TempDir Path dir) {
        int port = freePortPair();
        EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.start(ClusterOptions.builder().port(port)
                .dataDirectory(dir).build());
        kafka.stopNode(0);
        kafka.close();

        IllegalStateException restart = assertThrows(IllegalStateException.class, () -> kafka.restartNode(0));
        IllegalStateException stop = assertThrows(IllegalStateException.class, () -> kafka.stopNode(0));
        IllegalStateException crash = assertThrows(IllegalStateException.class, () -> kafka.crashNode(0));

        String closed = "the cluster at localhost:" + port + " is closed";
        assertThat(restart).hasMessage(closed);
        assertThat(stop).as("stopNode, not 'node 0 is not running'").hasMessage(closed);
        assertThat(crash).as("crashNode, not 'node 0 is not running'").hasMessage(closed);
        assertThat(isFree(port)).isTrue();
    }

    @Test
    void aForkedNodeThatCannotStartExitsAndItsRestartFailsWithItsLog() throws Exception {
        int port = freePortPair();
        try (EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.start(ClusterOptions.builder().port(port)
                .forkedNodes(true).startTimeout(Duration.ofSeconds(60)).build())) {
            kafka.stopNode(0);
            ServerSocket taken = new ServerSocket(port, 50, InetAddress.getLoopbackAddress());
            try {
                CourierException e = assertThrows(CourierException.class, () -> kafka.restartNode(0));

                // The child exits on its failed start (its controller's threads used to keep it alive until the
                // parent's start timeout destroyed it, reported as exit code 137).
                assertThat(e).hasMessageStartingWith("node 0 did not start (exit code 1); the last lines of ")
                        .hasMessageContaining("Kafka node failed to start");
            } finally {
                taken.close();
            }
        }
    }

    /** A port p with p + 1 free too, for a two-node cluster's broker listeners. */
    private static int freePortPair() {
        for (int attempt = 0; attempt < 50; attempt++) {
            int port;
            try (ServerSocket probe = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
                port = probe.getLocalPort();
            } catch (java.io.IOException e) {
                continue;
            }
            if (port < 65535 && isFree(port + 1)) {
                return port;
            }
        }
        throw new AssertionError("no two free ports in a row");
    }

    private static boolean isFree(int port) {
        try {
            new ServerSocket(port, 50, InetAddress.getLoopbackAddress()).close();
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    @Test
    void failsWithTheReasonWhenTheDataDirectoryIsNotWritable(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("a-file"), "not a directory");
        Path beneathAFile = file.resolve("data");
        CourierException e = assertThrows(CourierException.class,
                () -> EmbeddedKafkaCluster.start(ClusterOptions.builder().dataDirectory(beneathAFile).build()));
        assertThat(e).hasMessageStartingWith("data directory " + beneathAFile + " cannot be created (")
                .hasMessageEndingWith("); expected a writable directory");

        CourierException onFile = assertThrows(CourierException.class,
                () -> EmbeddedKafkaCluster.start(ClusterOptions.builder().dataDirectory(file).build()));
        assertThat(onFile).hasMessageStartingWith("data directory " + file + " cannot be created (");
    }
}
