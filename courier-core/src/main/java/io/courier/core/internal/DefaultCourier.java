package io.courier.core.internal;

import io.courier.common.CourierException;
import io.courier.common.CourierRetriableException;
import io.courier.common.Durations;
import io.courier.core.Courier;
import io.courier.core.CourierConfig;
import io.courier.core.Handlers;
import io.courier.core.Publisher;
import io.courier.core.PublisherOptions;
import io.courier.core.ReplayOptions;
import io.courier.core.ReplayResult;
import io.courier.core.Subscriber;
import io.courier.core.SubscriberOptions;
import io.courier.core.Topic;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;

/** The {@link Courier} implementation. */
public final class DefaultCourier implements Courier {
    private final CourierConfig config;
    private final Admin admin;
    private final Provisioner provisioner;

    private DefaultCourier(CourierConfig config, Admin admin) {
        this.config = config;
        this.admin = admin;
        this.provisioner = new Provisioner(admin, config.connectTimeout(), config.bootstrapServers());
    }

    /** See {@link Courier#connect(CourierConfig)}. */
    public static Courier connect(CourierConfig config) {
        Objects.requireNonNull(config, "config");
        Admin admin;
        try {
            admin = config.clientFactory().admin(ClientConfigs.admin(config));
        } catch (org.apache.kafka.common.KafkaException e) {
            if (Causes.find(e, javax.security.auth.login.LoginException.class) != null) {
                // Kerberos or OAuth log in while the client is built, and their server may be down: not bad input.
                throw new CourierException("cannot log in to Kafka at " + config.bootstrapServers() + ": " + reasons(e),
                        e);
            }
            // Otherwise creating a client talks to no server: what Kafka refuses here is a setting (a malformed
            // sasl.jaas.config or a missing trust store fail like a ConfigException, only later in the build).
            throw new IllegalArgumentException("invalid Kafka client settings for " + config.bootstrapServers() + ": "
                    + reasons(e), e);
        }
        try {
            Futures.await(admin.describeCluster().nodes(), config.connectTimeout().plusSeconds(1), "describe the cluster");
        } catch (CourierException e) {
            admin.close(Duration.ZERO);
            org.apache.kafka.common.errors.AuthenticationException refused =
                    Causes.find(e, org.apache.kafka.common.errors.AuthenticationException.class);
            if (refused != null) { // reached, and refused: not a timeout, and retrying will not help
                throw new CourierException("cannot authenticate to Kafka at " + config.bootstrapServers() + ": "
                        + refused.getMessage() + "; check the client's security settings (security.protocol, "
                        + "sasl.mechanism, sasl.jaas.config, ssl.truststore.location)", e);
            }
            throw new CourierRetriableException("cannot reach Kafka at " + config.bootstrapServers() + " within "
                    + Durations.format(config.connectTimeout())
                    + " (bootstrap.servers); check the addresses, the security settings "
                    + "and that the cluster is running. Cause: " + e.getMessage(), e);
        }
        return new DefaultCourier(config, admin);
    }

    /**
     * @return the messages along the cause chain, without the outermost wrapper's ("Failed to create new
     *     KafkaAdminClient") and without one that repeats an earlier one: "Failed to create new NetworkClient: Failed
     *     to load SSL keystore /x.jks of type JKS"
     */
    private static String reasons(Throwable e) {
        StringBuilder reasons = new StringBuilder();
        Throwable first = e.getCause() != null ? e.getCause() : e;
        for (Throwable t = first; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String message = t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
            message = message.lines().findFirst().orElse("").strip(); // a LoginException can carry a whole stack trace
            if (reasons.indexOf(message) < 0) {
                reasons.append(reasons.length() == 0 ? "" : ": ").append(message);
            }
        }
        return reasons.toString();
    }

    @Override
    public CourierConfig config() {
        return config;
    }

    @Override
    public void provision(Topic<?, ?>... topics) {
        provisioner.provision(List.of(topics));
    }

    @Override
    public <K, V> Publisher<K, V> publisher(Topic<K, V> topic, PublisherOptions options) {
        Map<String, Object> producerConfig = ClientConfigs.publisher(config, topic.name(), options);
        provisioner.requireExisting(topic.name());
        return new KafkaPublisher<>(topic, config, options.guarantee(), config.clientFactory().producer(producerConfig));
    }

    @Override
    public <K, V> Subscriber subscriber(Topic<K, V> topic, SubscriberOptions options, Handlers<K, V> handlers) {
        Objects.requireNonNull(handlers, "handlers");
        ClientConfigs.subscriber(config, topic.name(), options, options.instanceId(), 0); // fails fast on contradictions
        TopicDescription description = provisioner.requireExisting(topic.name());
        int partitions = description.partitions().size();
        if (options.concurrency() > partitions) {
            throw new CourierException("concurrency " + options.concurrency() + " of subscriber '" + options.groupId()
                    + "' exceeds the " + partitions + " partition(s) of topic '" + topic.name()
                    + "': the extra threads would get no partitions; use at most " + partitions);
        }
        String deadLetterTopic = options.deadLetterTopicFor(topic.name());
        if (deadLetterTopic.equals(topic.name())) {
            throw new IllegalArgumentException("the dead-letter topic of subscriber '" + options.groupId()
                    + "' is its own topic '" + topic.name() + "': a failed record would be consumed again and fail "
                    + "again, forever; choose another deadLetterTopic");
        }
        provisioner.ensureLike(deadLetterTopic, description);
        RecordHandler<K, V> handler = new RecordHandler<>(topic, handlers, config);
        String description0 = "subscriber '" + options.groupId() + "' of topic '" + topic.name() + "'";
        return new DefaultSubscriber(description0, options.concurrency(), i -> {
            Consumer<byte[], byte[]> consumer = config.clientFactory().consumer(
                    ClientConfigs.subscriber(config, topic.name(), options, options.instanceId(), i));
            try {
                return new SubscriberWorker<>("courier-" + options.groupId() + "-" + topic.name() + "-"
                        + options.instanceId() + "-" + i, topic.name(), options, config, handler, consumer,
                        () -> config.clientFactory().producer(ClientConfigs.subscriberProducer(config, topic.name(),
                                options, options.instanceId(), i)), deadLetterTopic);
            } catch (RuntimeException e) {
                consumer.close(CloseOptions.timeout(Duration.ZERO));
                throw e;
            }
        });
    }

    @Override
    public ReplayResult replayDeadLetters(String deadLetterTopic, ReplayOptions options) {
        TopicNames.requireLegal(deadLetterTopic);
        return DeadLetterReplayer.replay(config, deadLetterTopic, options);
    }

    @Override
    public Admin admin() {
        return admin;
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(5));
    }
}
