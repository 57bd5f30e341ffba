package io.courier.cli;

import io.courier.cluster.ClusterOptions;
import io.courier.cluster.ClusterSecurity;
import io.courier.cluster.EmbeddedKafkaCluster;
import io.courier.common.CourierException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code courier cluster}: a real Kafka dev cluster in the foreground until Ctrl-C. */
@Command(name = "cluster",
        mixinStandardHelpOptions = true,
        description = {"Start a real Apache Kafka dev cluster (KRaft mode, no ZooKeeper) that any Kafka client can use.",
                "Prints bootstrap.servers=HOST:PORT[,...] on a line of its own when ready; Ctrl-C stops it cleanly."})
final class ClusterCommand implements Callable<Integer> {

    /** Security modes offered on the command line. */
    enum Security { NONE, SASL_PLAINTEXT, SASL_SSL }

    @Spec
    CommandSpec spec;

    @Option(names = "--brokers", defaultValue = "1", paramLabel = "N",
            description = "Number of nodes (combined broker + controller), 1 to 9; 3 for replication. Default: ${DEFAULT-VALUE}.")
    int brokers;

    @Option(names = "--port", defaultValue = "9092", paramLabel = "PORT",
            description = "Port of the first broker; node i takes PORT+i. 0 picks free ports. Default: ${DEFAULT-VALUE}.")
    int port;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Keep data in DIR, so that topics and records survive a restart. Default: a temporary directory, deleted on exit.")
    Path dataDir;

    @Option(names = "--security", defaultValue = "NONE", paramLabel = "MODE",
            description = "none, sasl_plaintext or sasl_ssl (SCRAM-SHA-512, admin user 'admin', ACLs enforced). "
                    + "Writes client.properties for --command-config. Default: none.")
    Security security;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        if (brokers < 1 || brokers > ClusterOptions.MAX_NODES) {
            throw new IllegalArgumentException("--brokers must be between 1 and " + ClusterOptions.MAX_NODES
                    + ", but was " + brokers);
        }
        ClusterOptions.Builder options = ClusterOptions.builder().nodes(brokers).port(port).dataDirectory(dataDir);
        if (security != Security.NONE) {
            options.security(new ClusterSecurity(ClusterSecurity.Protocol.valueOf(security.name()), "admin", "admin-secret"));
        }
        CountDownLatch stopped = new CountDownLatch(1);
        // Ctrl-C even during the start closes the cluster, which deletes a temporary data directory.
        PrintWriter err = spec.commandLine().getErr();
        ClusterOnExit onExit = ClusterOnExit.start(options.build(), message -> {
            err.println(spec.qualifiedName() + ": " + message);
            err.flush();
        }, () -> {
            out.println("Stopping the cluster...");
            out.flush();
        }, () -> {
            out.println("Cluster stopped.");
            out.flush();
            stopped.countDown();
        });
        EmbeddedKafkaCluster cluster = onExit.cluster();
        // Not once the shutdown began: it deletes a temporary data directory, where the client config goes.
        onExit.announceUnlessStopping(() -> {
            Path clientConfig = security == Security.NONE ? null : writeClientConfig(cluster);
            out.printf(Locale.ROOT, "Apache Kafka cluster %s: %d node(s), KRaft mode%n", cluster.clusterId(), brokers);
            out.println("bootstrap.servers=" + cluster.bootstrapServers());
            if (clientConfig != null) {
                out.println("client.config=" + clientConfig);
            }
            out.printf(Locale.ROOT, "Started in %.1f s. Data: %s%n", cluster.startupTime().toMillis() / 1000.0,
                    cluster.dataDirectory());
            out.println("Press Ctrl-C to stop.");
            out.flush();
        });
        stopped.await();
        return 0;
    }

    private static Path writeClientConfig(EmbeddedKafkaCluster cluster) {
        Properties props = new Properties();
        cluster.clientProperties().forEach((k, v) -> props.setProperty(k, String.valueOf(v)));
        Path file = cluster.dataDirectory().resolve("client.properties");
        // As Kafka's tools read it, ISO-8859-1 with other characters escaped: a password may be any text.
        try (OutputStream w = Files.newOutputStream(file)) {
            props.store(w, "Kafka client settings for the admin user of the Courier dev cluster");
        } catch (IOException e) {
            throw new CourierException("cannot write the client settings to " + file + ": " + e, e);
        }
        return file;
    }
}
