package io.courier.cluster.junit;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.cluster.EmbeddedKafkaCluster;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * A test class with one instance for all its tests (Kotlin's habit, or {@code junit.jupiter.testinstance.lifecycle
 * .default=per_class}): JUnit builds it before any {@code beforeAll}, and its constructor still gets the cluster.
 */
@EmbeddedKafka
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class PerClassLifecycleIT {
    private final EmbeddedKafkaCluster cluster;

    PerClassLifecycleIT(EmbeddedKafkaCluster cluster) {
        this.cluster = cluster;
    }

    @Test
    void theConstructorGetsTheSameRunningClusterAsTheTests(EmbeddedKafkaCluster cluster) {
        assertThat(cluster).as("one cluster for the class, not a second one started by beforeAll")
                .isSameAs(this.cluster);
        assertThat(cluster.isRunning(cluster.nodeIds().get(0))).isTrue();
        cluster.createTopic("per-class", 1, 1);
        assertThat(cluster.leaderOf("per-class", 0, Duration.ofSeconds(30))).isEqualTo(cluster.nodeIds().get(0));
    }

    @Test
    void waitingForTheLeaderOfATopicThatDoesNotExistSaysSo() {
        assertThat(org.junit.jupiter.api.Assertions.assertThrows(io.courier.common.CourierRetriableException.class,
                () -> cluster.leaderOf("ordres", 0, Duration.ofSeconds(2))))
                .hasMessage("topic 'ordres' does not exist (still unknown to the cluster after 2s)");
    }
}
