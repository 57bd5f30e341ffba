package io.courier.cluster;

import static io.courier.common.Preconditions.requireArgument;
import static io.courier.common.Preconditions.requireInRange;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@link EmbeddedKafkaCluster#start(ClusterOptions)} starts. Immutable and thread-safe; build with
 * {@link #builder()}.
 */
public final class ClusterOptions {
    /** The largest cluster this class starts; more would not fit a developer machine anyway. */
    public static final int MAX_NODES = 9;

    private final int nodes;
    private final int port;
    private final Path dataDirectory;
    private final ClusterSecurity security;
    private final Map<String, String> brokerProperties;
    private final boolean forkedNodes;
    private final String forkedNodeHeap;
    private final Duration startTimeout;

    private ClusterOptions(Builder b) {
        this.nodes = b.nodes;
        this.port = b.port;
        this.dataDirectory = b.dataDirectory;
        this.security = b.security;
        this.brokerProperties = Map.copyOf(b.brokerProperties);
        this.forkedNodes = b.forkedNodes;
        this.forkedNodeHeap = b.forkedNodeHeap;
        this.startTimeout = b.startTimeout;
    }

    /** @return one node, free ports, a temporary data directory, no security, in-process */
    public static ClusterOptions defaults() {
        return builder().build();
    }

    /** @return a builder holding the defaults */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the number of combined broker + controller nodes */
    public int nodes() {
        return nodes;
    }

    /** @return the first broker port (node {@code i} listens on {@code port + i}), or 0 for free ports */
    public int port() {
        return port;
    }

    /** @return the data directory to keep, or empty for a temporary one deleted on close */
    public Optional<Path> dataDirectory() {
        return Optional.ofNullable(dataDirectory);
    }

    /** @return the security settings, or empty for PLAINTEXT */
    public Optional<ClusterSecurity> security() {
        return Optional.ofNullable(security);
    }

    /** @return broker properties that override Courier's defaults, applied to every node */
    public Map<String, String> brokerProperties() {
        return brokerProperties;
    }

    /** @return whether each node runs in a child JVM */
    public boolean forkedNodes() {
        return forkedNodes;
    }

    /** @return the {@code -Xmx} value of a forked node, for instance {@code 256m} */
    public String forkedNodeHeap() {
        return forkedNodeHeap;
    }

    /** @return how long start-up (and each restart) may take before it fails */
    public Duration startTimeout() {
        return startTimeout;
    }

    @Override
    public String toString() {
        return "ClusterOptions[nodes=" + nodes + ", port=" + (port == 0 ? "free" : port) + ", dataDirectory="
                + (dataDirectory == null ? "temporary" : dataDirectory) + ", security=" + security
                + ", forkedNodes=" + forkedNodes + ", brokerProperties=" + brokerProperties + "]";
    }

    /** Collects options; {@link #build()} validates them. Not thread-safe. */
    public static final class Builder {
        private int nodes = 1;
        private int port;
        private Path dataDirectory;
        private ClusterSecurity security;
        private final Map<String, String> brokerProperties = new LinkedHashMap<>();
        private boolean forkedNodes;
        private String forkedNodeHeap = "256m";
        private Duration startTimeout = Duration.ofSeconds(90);

        private Builder() {}

        /**
         * @param nodes the number of nodes, 1 to {@value ClusterOptions#MAX_NODES}; 3 gives a replicated cluster
         * @return this builder
         */
        public Builder nodes(int nodes) {
            this.nodes = nodes;
            return this;
        }

        /**
         * @param port the first broker port, 1024 to 65535 (node {@code i} takes {@code port + i}); 0 picks free ports
         * @return this builder
         */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /**
         * @param dataDirectory where the nodes keep their data, kept after close so that a new cluster on the same
         *     directory finds its topics and records again; {@code null} for a temporary directory
         * @return this builder
         */
        public Builder dataDirectory(Path dataDirectory) {
            this.dataDirectory = dataDirectory;
            return this;
        }

        /**
         * @param security SASL settings, or {@code null} for PLAINTEXT
         * @return this builder
         */
        public Builder security(ClusterSecurity security) {
            this.security = security;
            return this;
        }

        /**
         * @param key   a broker config key, for instance {@code broker.session.timeout.ms}
         * @param value its value
         * @return this builder
         */
        public Builder brokerProperty(String key, String value) {
            brokerProperties.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /**
         * @param forkedNodes whether each node runs in a child JVM (needed for {@link EmbeddedKafkaCluster#crashNode})
         * @return this builder
         */
        public Builder forkedNodes(boolean forkedNodes) {
            this.forkedNodes = forkedNodes;
            return this;
        }

        /**
         * @param heap the {@code -Xmx} of each forked node, such as {@code 256m} or {@code 1g}
         * @return this builder
         */
        public Builder forkedNodeHeap(String heap) {
            this.forkedNodeHeap = heap;
            return this;
        }

        /**
         * @param startTimeout how long start-up and each restart may take
         * @return this builder
         */
        public Builder startTimeout(Duration startTimeout) {
            this.startTimeout = startTimeout;
            return this;
        }

        /**
         * @return the options
         * @throws IllegalArgumentException naming the first option that is out of range
         */
        public ClusterOptions build() {
            requireInRange(nodes, 1, MAX_NODES, "nodes");
            requireArgument(port == 0 || (port >= 1024 && port + nodes - 1 <= 65535),
                    "port must be 0 (free ports) or between 1024 and %d for %d node(s), but was %d",
                    65535 - nodes + 1, nodes, port);
            requireArgument(forkedNodeHeap != null && forkedNodeHeap.matches("[1-9][0-9]*[kKmMgG]?"),
                    "forked node heap must look like 256m or 1g, but was '%s'", forkedNodeHeap);
            requireArgument(startTimeout != null && !startTimeout.isNegative() && !startTimeout.isZero(),
                    "start timeout must be positive, but was %s", startTimeout);
            for (String key : brokerProperties.keySet()) {
                requireArgument(!key.isBlank(), "broker property keys must not be blank");
            }
            return new ClusterOptions(this);
        }
    }
}
