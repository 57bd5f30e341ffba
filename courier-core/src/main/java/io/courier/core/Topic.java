package io.courier.core;

import static io.courier.common.Preconditions.requireArgument;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A topic declared once and shared by its publishers and subscribers: name, partitions, replication factor, topic
 * configs, and the serdes of its keys and values. Immutable and thread-safe.
 *
 * <pre>{@code
 * Topic<String, OrderEvent> ORDERS = Topic.builder("orders", Serdes.string(), Serdes.json(OrderEvent.class))
 *         .partitions(6).replicationFactor(3).config("min.insync.replicas", "2").build();
 * }</pre>
 *
 * @param <K> the key type
 * @param <V> the value type
 */
public final class Topic<K, V> {
    private final String name;
    private final int partitions;
    private final short replicationFactor;
    private final Map<String, String> configs;
    private final Serde<K> keySerde;
    private final Serde<V> valueSerde;

    private Topic(Builder<K, V> b) {
        this.name = b.name;
        this.partitions = b.partitions;
        this.replicationFactor = b.replicationFactor;
        this.configs = Map.copyOf(b.configs);
        this.keySerde = b.keySerde;
        this.valueSerde = b.valueSerde;
    }

    /**
     * @param name       a legal Kafka topic name
     * @param keySerde   the serde of keys
     * @param valueSerde the serde of values
     * @param <K>        the key type
     * @param <V>        the value type
     * @return a builder with 1 partition and replication factor 1
     */
    public static <K, V> Builder<K, V> builder(String name, Serde<K> keySerde, Serde<V> valueSerde) {
        return new Builder<>(name, keySerde, valueSerde);
    }

    /**
     * @param name       a legal Kafka topic name
     * @param keySerde   the serde of keys
     * @param valueSerde the serde of values
     * @param <K>        the key type
     * @param <V>        the value type
     * @return a topic with 1 partition and replication factor 1
     */
    public static <K, V> Topic<K, V> of(String name, Serde<K> keySerde, Serde<V> valueSerde) {
        return builder(name, keySerde, valueSerde).build();
    }

    /** @return the topic name */
    public String name() {
        return name;
    }

    /** @return the declared partition count */
    public int partitions() {
        return partitions;
    }

    /** @return the declared replication factor */
    public short replicationFactor() {
        return replicationFactor;
    }

    /** @return the declared topic configs, such as {@code retention.ms} */
    public Map<String, String> configs() {
        return configs;
    }

    /** @return the key serde */
    public Serde<K> keySerde() {
        return keySerde;
    }

    /** @return the value serde */
    public Serde<V> valueSerde() {
        return valueSerde;
    }

    @Override
    public String toString() {
        return "Topic[" + name + ", partitions=" + partitions + ", rf=" + replicationFactor + ", key="
                + keySerde.type().getSimpleName() + ", value=" + valueSerde.type().getSimpleName() + "]";
    }

    /** Collects a topic declaration; {@link #build()} validates it. Not thread-safe. */
    public static final class Builder<K, V> {
        private final String name;
        private final Serde<K> keySerde;
        private final Serde<V> valueSerde;
        private int partitions = 1;
        private short replicationFactor = 1;
        private final Map<String, String> configs = new LinkedHashMap<>();

        private Builder(String name, Serde<K> keySerde, Serde<V> valueSerde) {
            this.name = name;
            this.keySerde = keySerde;
            this.valueSerde = valueSerde;
        }

        /** @param partitions at least 1 @return this builder */
        public Builder<K, V> partitions(int partitions) {
            this.partitions = partitions;
            return this;
        }

        /** @param replicationFactor 1 to 32767 @return this builder */
        public Builder<K, V> replicationFactor(int replicationFactor) {
            requireArgument(replicationFactor >= 1 && replicationFactor <= Short.MAX_VALUE,
                    "replication factor of topic '%s' must be between 1 and %d, but was %d", name, Short.MAX_VALUE,
                    replicationFactor);
            this.replicationFactor = (short) replicationFactor;
            return this;
        }

        /** @param key a topic config key @param value its value @return this builder */
        public Builder<K, V> config(String key, String value) {
            configs.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /**
         * @return the topic
         * @throws IllegalArgumentException if the name is not a legal Kafka topic name or a count is out of range
         */
        public Topic<K, V> build() {
            io.courier.core.internal.TopicNames.requireLegal(name);
            Objects.requireNonNull(keySerde, "keySerde");
            Objects.requireNonNull(valueSerde, "valueSerde");
            requireArgument(partitions >= 1, "topic '%s' needs at least 1 partition, but was declared with %d",
                    name, partitions);
            return new Topic<>(this);
        }
    }
}
