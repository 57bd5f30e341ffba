package io.courier.cluster.internal;

import io.courier.common.CourierException;
import java.io.IOException;
import java.io.InputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import kafka.server.KafkaConfig;
import org.apache.kafka.metadata.storage.Formatter;

/**
 * Formats a node's storage as {@code kafka-storage.sh format} does, unless it was formatted before: a data
 * directory that holds a {@code meta.properties} keeps its cluster id, topics and records.
 */
final class StorageFormatter {
    private static final String META = "meta.properties";

    private StorageFormatter() {}

    /** @return the cluster id stored in a formatted node directory, if there is one */
    static Optional<String> existingClusterId(Path nodeDir) {
        Path meta = nodeDir.resolve(META);
        if (!Files.isRegularFile(meta)) {
            return Optional.empty();
        }
        Properties props = new Properties();
        try (InputStream in = Files.newInputStream(meta)) {
            props.load(in);
        } catch (IOException e) {
            throw new CourierException("cannot read " + meta + ": " + e.getMessage(), e);
        }
        return Optional.ofNullable(props.getProperty("cluster.id"));
    }

    /** What a data directory was formatted for, kept next to its node directories. */
    private static final String LAYOUT = "courier-cluster.properties";

    /**
     * Refuses to start a formatted data directory with another node count, or with a SCRAM admin its storage was
     * not formatted with: Kafka would start, announce the cluster, and then lose its topics (the controller quorum
     * is fixed at format time) or refuse every login. A directory not formatted yet gets a layout file first, before
     * any node is formatted, so that a start that failed half-way through formatting can be run again as it was.
     *
     * @param adminUser     the admin user the start asks for, or null without security
     * @param adminPassword its password, or null without security
     * @throws CourierException naming the directory, what it holds and what to do
     */
    static void requireSameLayout(Path dataDir, int nodes, String adminUser, String adminPassword) {
        java.util.SortedSet<Integer> formatted = new java.util.TreeSet<>();
        try (java.util.stream.Stream<Path> children = Files.list(dataDir)) {
            children.filter(d -> d.getFileName().toString().matches("node-\\d{1,4}")
                    && Files.isRegularFile(d.resolve(META)))
                    .forEach(d -> formatted.add(Integer.parseInt(d.getFileName().toString().substring(5))));
        } catch (IOException e) {
            throw new CourierException("cannot list data directory " + dataDir + ": " + e.getMessage(), e);
        }
        Path layout = dataDir.resolve(LAYOUT);
        if (formatted.isEmpty()) { // nothing formatted yet (also after a start that failed before formatting)
            recordLayout(dataDir, nodes, adminUser, adminPassword);
            return;
        }
        if (!Files.isRegularFile(layout)) {
            // Formatted by an older release, which kept no layout: its node directories say how many.
            requireNodes(dataDir, formatted.size(), nodes, formatted);
            return;
        }
        Properties props = new Properties();
        try (InputStream in = Files.newInputStream(layout)) {
            props.load(in);
        } catch (IOException e) {
            throw new CourierException("cannot read " + layout + ": " + e.getMessage(), e);
        }
        int laidOut;
        try {
            laidOut = Integer.parseInt(props.getProperty("nodes", "").trim());
        } catch (NumberFormatException e) {
            throw new CourierException(layout + " has nodes='" + props.getProperty("nodes") + "'; expected the "
                    + "node count this directory was formatted for", e);
        }
        requireNodes(dataDir, laidOut, nodes, formatted);
        String formattedAdmin = props.getProperty("scram.admin", "");
        if (adminUser != null && !formattedAdmin.equals(adminUser)) {
            throw new CourierException("data directory " + dataDir + " was formatted " + (formattedAdmin.isEmpty()
                    ? "without security" : "with SCRAM admin '" + formattedAdmin + "'") + ", so the brokers know "
                    + "no credential of admin '" + adminUser + "' (credentials are written when the storage is "
                    + "formatted); start it " + (formattedAdmin.isEmpty() ? "without --security"
                            : "with admin '" + formattedAdmin + "'") + ", or use another data directory");
        }
        String formattedPassword = props.getProperty("scram.admin.password.sha256");
        if (adminUser != null && formattedPassword != null && !formattedPassword.equals(sha256(adminPassword))) {
            throw new CourierException("data directory " + dataDir + " was formatted with another password for "
                    + "admin '" + adminUser + "' (credentials are written when the storage is formatted); start it "
                    + "with that password (its client.properties holds it), or use another data directory");
        }
    }

    /** A dev cluster's admin password is in its client.properties anyway; the layout keeps only its digest. */
    private static String sha256(String text) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private static void requireNodes(Path dataDir, int held, int nodes, java.util.SortedSet<Integer> formatted) {
        if (held != nodes) {
            throw new CourierException("data directory " + dataDir + " holds a cluster of " + held
                    + " node(s) (node directories " + formatted + "), not of " + nodes + ": start it with "
                    + held + " node(s) (--brokers " + held + "), or use another data directory; a KRaft cluster's "
                    + "controllers are fixed when its storage is formatted, and a different count would start "
                    + "without its topics");
        }
    }

    private static void recordLayout(Path dataDir, int nodes, String adminUser, String adminPassword) {
        Properties props = new Properties();
        props.setProperty("nodes", Integer.toString(nodes));
        props.setProperty("scram.admin", adminUser == null ? "" : adminUser);
        if (adminUser != null) {
            props.setProperty("scram.admin.password.sha256", sha256(adminPassword));
        }
        try (java.io.OutputStream out = Files.newOutputStream(dataDir.resolve(LAYOUT))) {
            props.store(out, "Written by Courier before it formatted this cluster's storage");
        } catch (IOException e) {
            throw new CourierException("cannot write " + dataDir.resolve(LAYOUT) + ": " + e.getMessage(), e);
        }
    }

    static void formatIfNeeded(NodeSpec spec, String clusterId, List<String> scramArguments) {
        Optional<String> existing = existingClusterId(spec.directory());
        if (existing.isPresent()) {
            if (!existing.get().equals(clusterId)) {
                throw new CourierException("data directory " + spec.directory() + " belongs to cluster "
                        + existing.get() + ", not to cluster " + clusterId + "; use a separate data directory per cluster");
            }
            return;
        }
        KafkaConfig config = new KafkaConfig(spec.properties(), false);
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        try {
            new Formatter()
                    .setPrintStream(new PrintStream(output, true, StandardCharsets.UTF_8))
                    .setNodeId(spec.nodeId())
                    .setClusterId(clusterId)
                    .setControllerListenerName(NodeConfigs.CONTROLLER_LISTENER)
                    .setMetadataLogDirectory(config.metadataLogDir())
                    .setScramArguments(scramArguments)
                    .addDirectory(spec.directory().toString())
                    .run();
        } catch (Exception e) {
            throw new CourierException("cannot format the storage of node " + spec.nodeId() + " in "
                    + spec.directory() + ": " + e.getMessage() + describe(output), e);
        }
    }

    private static String describe(ByteArrayOutputStream output) {
        String text = output.toString(StandardCharsets.UTF_8).strip();
        return text.isEmpty() ? "" : " (" + text + ")";
    }
}
