package io.courier.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.core.CourierMetrics;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class GuardedMetricsTest {

    @Test
    void metricsThatThrowAreLoggedOnceNotOncePerCall() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        CourierMetrics broken = new CourierMetrics() {
            @Override
            public void published(String topic, long nanos) {
                calls.incrementAndGet();
                throw new IllegalArgumentException("a registry's tag clash");
            }

            @Override
            public void handled(String topic, String group, long nanos) {
                calls.incrementAndGet();
                throw new IllegalArgumentException("a registry's tag clash");
            }

            @Override
            public void deadLettered(String topic, String group) {
                calls.incrementAndGet();
                throw new NoSuchMethodError("a Micrometer version mismatch");
            }

            @Override
            public void handlerFailed(String topic, String group, int attempt) {
                calls.incrementAndGet();
                throw new java.util.ServiceConfigurationError("no provider for a registry");
            }
        };
        CourierMetrics guarded = GuardedMetrics.of(broken);

        String written = CapturedLog.during(() -> {
            for (int i = 0; i < 5; i++) {
                guarded.published("orders", 1_000);
                guarded.handled("orders", "billing", 1_000);
                guarded.deadLettered("orders", "billing");
                guarded.handlerFailed("orders", "billing", 1);
            }
        });

        assertThat(calls).as("every measurement still reaches the metrics").hasValue(20);
        assertThat(written).contains("WARN").contains("metrics published (" + broken.getClass().getName()
                + ") threw; this measurement and later failing ones are dropped: java.lang.IllegalArgumentException: "
                + "a registry's tag clash");
        assertThat(written.lines().filter(line -> line.contains(" io.courier.core.internal.GuardedMetrics - ")))
                .as("logged once, not once per call: %s", written).hasSize(1);
    }

    @Test
    void anExceptionThatCannotEvenBeDescribedIsStillNotPassedOn() {
        RuntimeException undescribable = new RuntimeException() {
            private static final long serialVersionUID = 1L;

            @Override
            public String getMessage() {
                throw new IllegalStateException("a message built from state that is gone");
            }

            @Override
            public String toString() {
                throw new IllegalStateException("a toString() built from state that is gone");
            }
        };
        CourierMetrics guarded = GuardedMetrics.of(new CourierMetrics() {
            @Override
            public void handled(String topic, String group, long nanos) {
                throw undescribable;
            }
        });

        guarded.handled("t", "g", 1); // the warning
        guarded.handled("t", "g", 1); // and the debug line after it
    }

    @Test
    void theJvmsOwnErrorFromMetricsIsThrownOn() {
        OutOfMemoryError error = new OutOfMemoryError("Java heap space");
        CourierMetrics guarded = GuardedMetrics.of(new CourierMetrics() {
            @Override
            public void published(String topic, long nanos) {
                throw error;
            }
        });

        assertThat(org.junit.jupiter.api.Assertions.assertThrows(OutOfMemoryError.class,
                () -> guarded.published("orders", 1_000))).isSameAs(error);
    }
}
