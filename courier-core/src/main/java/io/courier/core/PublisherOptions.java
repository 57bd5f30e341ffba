package io.courier.core;

import static io.courier.common.Preconditions.requireArgument;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * How a publisher delivers: guarantee, compression, batching, partitioning, and raw producer settings as an escape
 * hatch. Immutable and thread-safe; build with {@link #builder()}.
 *
 * @param guarantee        the delivery guarantee
 * @param compression      the compression codec
 * @param batchSizeBytes   Kafka's {@code batch.size}
 * @param linger           Kafka's {@code linger.ms}
 * @param partitioning     how messages without a key are spread
 * @param transactionalId  for {@link DeliveryGuarantee#EXACTLY_ONCE}: a stable id per publisher instance (a
 *                         restarted instance must use the same id, so that Kafka fences its zombie); empty picks
 *                         a random one
 * @param producerProperties raw Kafka producer settings applied last; checked against the guarantee
 */
public record PublisherOptions(DeliveryGuarantee guarantee, Compression compression, int batchSizeBytes,
        Duration linger, Partitioning partitioning, Optional<String> transactionalId,
        Map<String, String> producerProperties) {

    public PublisherOptions {
        Objects.requireNonNull(guarantee, "guarantee");
        Objects.requireNonNull(compression, "compression");
        Objects.requireNonNull(linger, "linger");
        Objects.requireNonNull(partitioning, "partitioning");
        Objects.requireNonNull(transactionalId, "transactionalId");
        producerProperties = Map.copyOf(producerProperties);
    }

    /** @return at-least-once, no compression, Kafka's default batching (16 KB, 5 ms), sticky partitioning */
    public static PublisherOptions defaults() {
        return builder().build();
    }

    /** @return a builder holding the defaults */
    public static Builder builder() {
        return new Builder();
    }

    /** Collects options; {@link #build()} validates them. Not thread-safe. */
    public static final class Builder {
        private DeliveryGuarantee guarantee = DeliveryGuarantee.AT_LEAST_ONCE;
        private Compression compression = Compression.NONE;
        private int batchSizeBytes = 16_384;
        private Duration linger = Duration.ofMillis(5);
        private Partitioning partitioning = Partitioning.STICKY;
        private String transactionalId;
        private final Map<String, String> producerProperties = new LinkedHashMap<>();

        private Builder() {}

        /** @param guarantee the delivery guarantee @return this builder */
        public Builder guarantee(DeliveryGuarantee guarantee) {
            this.guarantee = guarantee;
            return this;
        }

        /** @param compression the codec @return this builder */
        public Builder compression(Compression compression) {
            this.compression = compression;
            return this;
        }

        /** @param bytes Kafka's {@code batch.size}, 0 or more @return this builder */
        public Builder batchSize(int bytes) {
            this.batchSizeBytes = bytes;
            return this;
        }

        /** @param linger Kafka's {@code linger.ms}, zero or more @return this builder */
        public Builder linger(Duration linger) {
            this.linger = linger;
            return this;
        }

        /** @param partitioning how keyless messages are spread @return this builder */
        public Builder partitioning(Partitioning partitioning) {
            this.partitioning = partitioning;
            return this;
        }

        /** @param id a stable transactional id for an exactly-once publisher @return this builder */
        public Builder transactionalId(String id) {
            this.transactionalId = id;
            return this;
        }

        /** @param key a Kafka producer config key @param value its value @return this builder */
        public Builder producerProperty(String key, String value) {
            producerProperties.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /**
         * @return the options
         * @throws IllegalArgumentException naming the value that is out of range
         */
        public PublisherOptions build() {
            requireArgument(batchSizeBytes >= 0, "batch size must be 0 or more bytes, but was %d", batchSizeBytes);
            requireArgument(linger != null && !linger.isNegative(), "linger must be zero or more, but was %s", linger);
            requireArgument(transactionalId == null || !transactionalId.isBlank(), "transactional id must not be blank");
            requireArgument(transactionalId == null || guarantee == DeliveryGuarantee.EXACTLY_ONCE,
                    "a transactional id ('%s') needs the EXACTLY_ONCE guarantee, but the guarantee is %s",
                    transactionalId, guarantee);
            return new PublisherOptions(guarantee, compression, batchSizeBytes, linger, partitioning,
                    Optional.ofNullable(transactionalId), producerProperties);
        }
    }
}
