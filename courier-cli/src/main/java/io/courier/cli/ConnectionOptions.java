package io.courier.cli;

import io.courier.common.CourierException;
import io.courier.common.CourierRetriableException;
import io.courier.common.Durations;
import io.courier.core.Courier;
import io.courier.core.CourierConfig;
import io.courier.core.EnvelopeFormat;
import io.courier.core.Serdes;
import io.courier.core.Topic;
import io.courier.core.internal.Futures;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import picocli.CommandLine.Option;

/**
 * The options every command that talks to a Kafka cluster shares, as a picocli mixin: where the cluster is
 * ({@code --bootstrap-servers}) and how to reach it ({@code --command-config}, a Kafka client properties file, as
 * Kafka's own tools take it). Also the helpers that turn those options into clients and Kafka's failures into
 * one-line messages naming the servers.
 */
final class ConnectionOptions {
    /** The address of {@code ./courier cluster} with its default port. */
    static final String DEFAULT_SERVERS = "localhost:9092";
    /**
     * How long one request may take before the command gives up, unless the command config sets
     * {@code request.timeout.ms}; also the time the cluster has to answer at all. Shorter than Kafka's 30 s: someone is
     * waiting at a terminal.
     */
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(15);
    private static final String REQUEST_TIMEOUT_KEY = "request.timeout.ms";

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT[,...]",
            description = "Kafka's bootstrap.servers. Default: bootstrap.servers from --command-config if it has "
                    + "one, else " + DEFAULT_SERVERS + " (the address of ./courier cluster); the bench commands start "
                    + "an embedded cluster instead.")
    String bootstrapServers;

    @Option(names = "--command-config", paramLabel = "FILE",
            description = "A Kafka client properties file (security.protocol, sasl.jaas.config, ssl.*...), as "
                    + "Kafka's own tools take it: every entry goes into every client.")
    Path commandConfig;

    /** The file, read once: commands ask for it more than once. */
    private Map<String, String> fileProperties;

    /**
     * @return the servers: the flag, else the command config's {@code bootstrap.servers}, else
     *     {@value #DEFAULT_SERVERS}
     * @throws IllegalArgumentException if the command config file cannot be read
     */
    String servers() {
        if (bootstrapServers != null) {
            return bootstrapServers;
        }
        return fileProperties().getOrDefault("bootstrap.servers", DEFAULT_SERVERS);
    }

    /** @return the servers given by the flag or the command config, if any (benchmarks start a cluster otherwise) */
    java.util.Optional<String> explicitServers() {
        return java.util.Optional.ofNullable(bootstrapServers != null ? bootstrapServers
                : fileProperties().get("bootstrap.servers"));
    }

    /**
     * @return the command config's entries without {@code bootstrap.servers} (that one is {@link #servers()}); empty
     *     without {@code --command-config}
     * @throws IllegalArgumentException naming the file if it does not exist or cannot be read
     */
    Map<String, String> clientProperties() {
        Map<String, String> props = new LinkedHashMap<>(fileProperties());
        props.remove("bootstrap.servers");
        return props;
    }

    /**
     * Refuses a command config entry that the command's producer cannot use, before anything connects.
     *
     * @param command what the command does without it, for the message ("publishes at least once")
     * @throws IllegalArgumentException naming the entry and the file if the command config sets it
     */
    void refuseTransactions(String command) {
        if (fileProperties().containsKey("transactional.id")) {
            throw new IllegalArgumentException("command config file '" + commandConfig + "' sets transactional.id, "
                    + "but " + command + " without transactions; remove that entry");
        }
    }

    /** @return a config for a plain Kafka client: the command config's entries and {@code bootstrap.servers} */
    Map<String, Object> kafkaConfig() {
        Map<String, Object> config = new HashMap<>(clientProperties());
        config.put("bootstrap.servers", servers());
        return config;
    }

    /**
     * @return a Courier instance for these servers, as service {@code courier-cli}, after the cluster answered
     * @throws io.courier.common.CourierRetriableException naming the servers if the cluster does not answer
     * @throws IllegalArgumentException if the servers are malformed or the command config cannot be read
     */
    Courier connect() {
        return connect(null);
    }

    /** @param envelope how published records carry Courier's envelope; null for Courier's default */
    Courier connect(EnvelopeFormat envelope) {
        // Courier gives its admin client default.api.timeout.ms = the connect timeout, and Kafka refuses an admin
        // client whose default.api.timeout.ms is below its request.timeout.ms: a request.timeout.ms from the command
        // config must therefore be the connect timeout too.
        CourierConfig.Builder builder = CourierConfig.builder(servers()).serviceName("courier-cli")
                .clientProperties(clientProperties()).connectTimeout(requestTimeout());
        if (envelope != null) {
            builder.envelopeFormat(envelope);
        }
        CourierConfig config = builder.build();
        try {
            return Courier.connect(config);
        } catch (KafkaException e) {
            // Kafka validates client settings when it creates the client: a bad --command-config entry ends here.
            throw new CourierException("cannot create a Kafka client for " + servers() + ": " + reason(e), e);
        }
    }

    /**
     * @return how long one request may take: {@code request.timeout.ms} from the command config, else
     *     {@link #REQUEST_TIMEOUT}
     * @throws IllegalArgumentException if the command config's value is not a positive number
     */
    Duration requestTimeout() {
        String value = fileProperties().get(REQUEST_TIMEOUT_KEY);
        if (value == null) {
            return REQUEST_TIMEOUT;
        }
        try {
            long millis = Long.parseLong(value.trim());
            if (millis > 0) {
                return Duration.ofMillis(millis);
            }
        } catch (NumberFormatException e) {
            // reported below, with the file's name
        }
        throw new IllegalArgumentException(REQUEST_TIMEOUT_KEY + " in command config file '" + commandConfig
                + "' must be a positive number of milliseconds, but was '" + value + "'");
    }

    /** @return the message of the innermost cause: Kafka wraps the useful one ("Invalid value ...") in generic ones */
    static String reason(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + ": " + root.getMessage();
    }

    /**
     * Waits for an admin request.
     *
     * @param future the request's future
     * @param what   what is being done, for the message: "create topic 'orders'"
     * @param <T>    the result type
     * @return the result
     * @throws CourierException "cannot {what} at {servers}: {Kafka's reason}"; retriable for a timeout
     */
    <T> T await(KafkaFuture<T> future, String what) {
        try {
            // A second more than the client's own timeout, so that Kafka's more precise timeout message wins.
            return future.get(requestTimeout().plusSeconds(1).toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw Futures.failure("cannot " + what + " at " + servers() + ": " + cause.getMessage(), cause);
        } catch (TimeoutException e) {
            throw new CourierRetriableException("cannot " + what + " at " + servers() + ": no answer within "
                    + Durations.format(requestTimeout()), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CourierException("interrupted while trying to " + what + " at " + servers(), e);
        }
    }

    /**
     * @param admin an admin client of these servers
     * @param topic the topic
     * @return its description
     * @throws CourierException "topic 'T' does not exist at S" if it does not exist
     */
    TopicDescription describeExisting(Admin admin, String topic) {
        try {
            return await(admin.describeTopics(List.of(topic)).allTopicNames(), "describe topic '" + topic + "'").get(topic);
        } catch (CourierException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                throw new CourierException("topic '" + topic + "' does not exist at " + servers(), e);
            }
            throw e;
        }
    }

    /**
     * Checks a topic name against Kafka's rules before anything is sent, through Courier's own check.
     *
     * @param topic a topic name from the command line
     * @return the name
     * @throws IllegalArgumentException naming the topic and the rule it breaks
     */
    static String requireLegalTopic(String topic) {
        return Topic.of(topic, Serdes.bytes(), Serdes.bytes()).name();
    }

    private Map<String, String> fileProperties() {
        if (fileProperties == null) {
            fileProperties = commandConfig == null ? Map.of() : read(commandConfig);
        }
        return fileProperties;
    }

    private static Map<String, String> read(Path file) {
        // Not only regular files: --command-config <(vault read ...) is a pipe, and Kafka's tools take it.
        if (!Files.exists(file) || Files.isDirectory(file)) {
            throw new IllegalArgumentException("command config file '" + file + "' does not exist or is not a file; "
                    + "--command-config expects a Kafka client properties file");
        }
        Properties props = new Properties();
        // As Kafka's tools read it: ISO-8859-1, other characters as backslash-u escapes.
        try (InputStream in = Files.newInputStream(file)) {
            props.load(in);
        } catch (IOException | IllegalArgumentException e) {
            // e.toString(): an AccessDeniedException's message is the path alone
            throw new IllegalArgumentException("cannot read command config file '" + file + "': " + e, e);
        }
        Map<String, String> entries = new LinkedHashMap<>();
        props.stringPropertyNames().forEach(k -> entries.put(k, props.getProperty(k)));
        return entries;
    }
}
