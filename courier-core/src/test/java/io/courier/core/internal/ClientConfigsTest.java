package io.courier.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.core.CourierConfig;
import io.courier.core.Partitioning;
import io.courier.core.PublisherOptions;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;

class ClientConfigsTest {

    @Test
    void stickyPartitioningLeavesKafkasDefaultPartitionerAndRoundRobinSetsCouriersOwn() {
        CourierConfig config = CourierConfig.builder("localhost:9092").build();

        Map<String, Object> byDefault = ClientConfigs.publisher(config, "orders", PublisherOptions.defaults());
        Map<String, Object> sticky = ClientConfigs.publisher(config, "orders",
                PublisherOptions.builder().partitioning(Partitioning.STICKY).build());
        Map<String, Object> roundRobin = ClientConfigs.publisher(config, "orders",
                PublisherOptions.builder().partitioning(Partitioning.ROUND_ROBIN).build());

        assertThat(PublisherOptions.defaults().partitioning()).isEqualTo(Partitioning.STICKY);
        assertThat(byDefault).as("Kafka's default partitioner").doesNotContainKeys("partitioner.class",
                "partitioner.ignore.keys");
        assertThat(sticky).doesNotContainKeys("partitioner.class", "partitioner.ignore.keys");
        assertThat(roundRobin).containsEntry("partitioner.class", KeyedRoundRobinPartitioner.class.getName());
    }

    @Test
    void aChosenRequestTimeoutLongerThanTheConnectTimeoutStillMakesAnAdminClientKafkaAccepts() {
        CourierConfig config = CourierConfig.builder("localhost:1").clientProperty("request.timeout.ms", "30000")
                .build();

        Map<String, Object> admin = ClientConfigs.admin(config);

        assertThat(admin).containsEntry("request.timeout.ms", "30000").containsEntry("default.api.timeout.ms", "30000");
        // Kafka checks the pair when the client is created, before it connects: this threw a ConfigException.
        try (Admin created = Admin.create(admin)) {
            assertThat(created).isNotNull();
        }
    }

    @Test
    void aChosenApiTimeoutShorterThanTheConnectTimeoutBoundsTheRequestTimeout() {
        CourierConfig config = CourierConfig.builder("localhost:1").clientProperty("default.api.timeout.ms", "10000")
                .build();

        Map<String, Object> admin = ClientConfigs.admin(config);

        assertThat(admin).containsEntry("request.timeout.ms", "10000").containsEntry("default.api.timeout.ms", "10000");
        try (Admin created = Admin.create(admin)) {
            assertThat(created).isNotNull();
        }
        assertThat(ClientConfigs.admin(CourierConfig.builder("localhost:1").connectTimeout(Duration.ofSeconds(7))
                .build())).containsEntry("request.timeout.ms", "7000").containsEntry("default.api.timeout.ms", "7000");
    }
}
