package io.courier.cli;

import io.courier.cluster.EmbeddedKafkaCluster;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/** Test helper: a cluster's client settings as the {@code --command-config} file a user would pass. */
final class CommandConfigFiles {
    private CommandConfigFiles() {}

    /**
     * Writes {@code cluster}'s client properties (bootstrap servers and, for a secured cluster, its login) to
     * {@code client.properties} in {@code dir}, as Kafka's tools read it: ISO-8859-1, other characters escaped.
     *
     * @return the file's path, as a command-line argument
     */
    static String write(EmbeddedKafkaCluster cluster, Path dir) throws IOException {
        Properties props = new Properties();
        cluster.clientProperties().forEach((k, v) -> props.setProperty(k, String.valueOf(v)));
        Path config = dir.resolve("client.properties");
        try (OutputStream w = Files.newOutputStream(config)) {
            props.store(w, null);
        }
        return config.toString();
    }
}
