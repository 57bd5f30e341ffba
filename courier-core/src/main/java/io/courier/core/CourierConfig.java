package io.courier.core;

import static io.courier.common.Preconditions.requireArgument;

import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * How Courier reaches Kafka and who it is: bootstrap servers, client settings shared by every client (security,
 * for instance), the service name written to envelopes, and the injectable parts (client factory, clock,
 * metrics). Immutable and thread-safe; build with {@link #builder(String)}.
 *
 * @param bootstrapServers Kafka's {@code bootstrap.servers}
 * @param serviceName      this service's name, written as the envelope's source
 * @param clientProperties settings for every producer, consumer and admin client (security, client.rack...)
 * @param connectTimeout   how long to wait for the cluster before failing with a message naming the servers
 * @param clientFactory    creates the Kafka clients
 * @param clock            the time source of envelopes
 * @param metrics          receives measurements
 * @param envelopeFormat   how publishers write the envelope into headers
 */
public record CourierConfig(String bootstrapServers, String serviceName, Map<String, String> clientProperties,
        Duration connectTimeout, ClientFactory clientFactory, Clock clock, CourierMetrics metrics,
        EnvelopeFormat envelopeFormat) {

    public CourierConfig {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        Objects.requireNonNull(serviceName, "serviceName");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(clientFactory, "clientFactory");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(envelopeFormat, "envelopeFormat");
        Objects.requireNonNull(metrics, "metrics");
        clientProperties = Map.copyOf(clientProperties);
    }

    /**
     * @return a new, mutable map of what every Kafka client of this config starts from: the client properties and
     *     {@code bootstrap.servers}; for clients of one's own that connect where Courier does
     */
    public Map<String, Object> kafkaClientConfig() {
        Map<String, Object> m = new java.util.HashMap<>(clientProperties);
        m.put("bootstrap.servers", bootstrapServers);
        return m;
    }

    /**
     * @param bootstrapServers {@code host:port[,host:port...]}
     * @return a builder with service name {@code courier}, a 15 s connect timeout, plain clients, the system clock
     *     and no metrics
     */
    public static Builder builder(String bootstrapServers) {
        return new Builder(bootstrapServers);
    }

    /** Collects the config; {@link #build()} validates it. Not thread-safe. */
    public static final class Builder {
        private final String bootstrapServers;
        private String serviceName = "courier";
        private final Map<String, String> clientProperties = new LinkedHashMap<>();
        private Duration connectTimeout = Duration.ofSeconds(15);
        private ClientFactory clientFactory = ClientFactory.kafka();
        private Clock clock = Clock.systemUTC();
        private EnvelopeFormat envelopeFormat = EnvelopeFormat.COMPACT;
        private CourierMetrics metrics = CourierMetrics.NOOP;

        private Builder(String bootstrapServers) {
            this.bootstrapServers = bootstrapServers;
        }

        /** @param name this service's name @return this builder */
        public Builder serviceName(String name) {
            this.serviceName = name;
            return this;
        }

        /** @param key a Kafka client config key @param value its value @return this builder */
        public Builder clientProperty(String key, String value) {
            clientProperties.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /** @param properties Kafka client settings, such as security ones @return this builder */
        public Builder clientProperties(Map<String, ?> properties) {
            properties.forEach((k, v) -> clientProperty(k, String.valueOf(v)));
            return this;
        }

        /** @param timeout how long to wait for the cluster @return this builder */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = timeout;
            return this;
        }

        /** @param factory creates Kafka clients @return this builder */
        public Builder clientFactory(ClientFactory factory) {
            this.clientFactory = factory;
            return this;
        }

        /** @param clock the time source @return this builder */
        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        /**
         * @param format how this service's publishers write the envelope; default {@link EnvelopeFormat#COMPACT}
         *               (one header), {@link EnvelopeFormat#CLOUD_EVENTS} for CloudEvents-aware consumers.
         *               Subscribers read every format.
         * @return this builder
         */
        public Builder envelopeFormat(EnvelopeFormat format) {
            this.envelopeFormat = format;
            return this;
        }

        /** @param metrics receives measurements @return this builder */
        public Builder metrics(CourierMetrics metrics) {
            this.metrics = metrics;
            return this;
        }

        /**
         * @return the config
         * @throws IllegalArgumentException naming the value that is missing or malformed
         */
        public CourierConfig build() {
            // Spaces around the commas and at the ends, as client.properties files often hold: Kafka trims them.
            String servers = bootstrapServers == null ? null : bootstrapServers.trim().replaceAll("\\s*,\\s*", ",");
            requireArgument(servers != null && servers.matches("[^,\\s]+:\\d+(,[^,\\s]+:\\d+)*"),
                    "bootstrap servers must look like host:port[,host:port...], but were '%s'", bootstrapServers);
            requireArgument(serviceName != null && !serviceName.isBlank(), "service name must not be blank");
            requireArgument(envelopeFormat != null, "envelope format must be one of %s, but was null",
                    java.util.Arrays.toString(EnvelopeFormat.values()));
            requireArgument(connectTimeout != null && !connectTimeout.isNegative() && !connectTimeout.isZero(),
                    "connect timeout must be positive, but was %s", connectTimeout);
            requireArgument(!clientProperties.containsKey("bootstrap.servers"),
                    "give bootstrap.servers to CourierConfig.builder(...), not as a client property");
            return new CourierConfig(servers, serviceName, clientProperties, connectTimeout, clientFactory,
                    clock, metrics, envelopeFormat);
        }
    }
}
