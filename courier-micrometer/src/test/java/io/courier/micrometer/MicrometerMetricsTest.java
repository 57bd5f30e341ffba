package io.courier.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class MicrometerMetricsTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final MicrometerMetrics metrics = new MicrometerMetrics(registry);

    @Test
    void recordsPublishesAndHandlesAsTimersTaggedByTopicAndGroup() {
        metrics.published("orders", TimeUnit.MILLISECONDS.toNanos(3));
        metrics.published("orders", TimeUnit.MILLISECONDS.toNanos(5));
        metrics.handled("orders", "billing", TimeUnit.MILLISECONDS.toNanos(2));
        assertThat(registry.get("courier.publish").tag("topic", "orders").timer().count()).isEqualTo(2);
        assertThat(registry.get("courier.publish").timer().totalTime(TimeUnit.MILLISECONDS)).isEqualTo(8.0);
        assertThat(registry.get("courier.handle").tag("topic", "orders").tag("group", "billing").timer().count())
                .isEqualTo(1);
    }

    @Test
    void countsFailuresAndDeadLetters() {
        metrics.publishFailed("orders", new IllegalStateException());
        metrics.handlerFailed("orders", "billing", 1);
        metrics.handlerFailed("orders", "billing", 2);
        metrics.deadLettered("orders", "billing");
        assertThat(registry.get("courier.publish.failures").tag("topic", "orders")
                .tag("exception", "IllegalStateException").counter().count()).isEqualTo(1);
        assertThat(registry.get("courier.handle.failures").tag("topic", "orders").tag("group", "billing").counter()
                .count()).isEqualTo(2);
        assertThat(registry.get("courier.dead.letters").tag("topic", "orders").tag("group", "billing").counter()
                .count()).isEqualTo(1);
    }

    @Test
    void anAnonymousExceptionClassIsTaggedWithItsNameNotAnEmptyValue() {
        RuntimeException anonymous = new RuntimeException("from a lambda-happy library") {
            private static final long serialVersionUID = 1L;
        };
        metrics.publishFailed("orders", anonymous);
        assertThat(registry.get("courier.publish.failures").tag("exception", anonymous.getClass().getName())
                .counter().count()).isEqualTo(1);
        assertThat(anonymous.getClass().getName()).isNotEmpty();
    }
}
