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
