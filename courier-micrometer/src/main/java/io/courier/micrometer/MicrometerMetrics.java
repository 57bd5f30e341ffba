package io.courier.micrometer;

import io.courier.core.CourierMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Records Courier's measurements in a Micrometer registry:
 *
 * <ul>
 *   <li>{@code courier.publish} (timer, tag {@code topic}): send to acknowledgement;</li>
 *   <li>{@code courier.publish.failures} (counter, tags {@code topic}, {@code exception});</li>
 *   <li>{@code courier.handle} (timer, tags {@code topic}, {@code group}): handler time of successful attempts;</li>
 *   <li>{@code courier.handle.failures} (counter, tags {@code topic}, {@code group}): failed attempts;</li>
 *   <li>{@code courier.dead.letters} (counter, tags {@code topic}, {@code group}).</li>
 * </ul>
 *
 * <p>Pass it with {@code CourierConfig.builder(servers).metrics(new MicrometerMetrics(registry))}. Thread-safe.
 */
public final class MicrometerMetrics implements CourierMetrics {
    private final MeterRegistry registry;

    /** @param registry where the meters go, for instance a {@code PrometheusMeterRegistry} */
    public MicrometerMetrics(MeterRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    @Override
    public void published(String topic, long nanos) {
        Timer.builder("courier.publish").description("Time from send to acknowledgement")
                .tag("topic", topic).register(registry).record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void publishFailed(String topic, Throwable error) {
        Counter.builder("courier.publish.failures")
                .description("Publishes refused by the broker or aborted with their transaction, and refused dead "
                        + "letters (tagged with the dead-letter topic)")
                .tag("topic", topic).tag("exception", exceptionTag(error)).register(registry).increment();
    }

    @Override
    public void handled(String topic, String group, long nanos) {
        Timer.builder("courier.handle").description("Handler time of handled messages, once their output is "
                        + "acknowledged or their transaction committed")
                .tag("topic", topic).tag("group", group).register(registry).record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void handlerFailed(String topic, String group, int attempt) {
        Counter.builder("courier.handle.failures")
                .description("Failed attempts: the handler threw, or its output was refused")
                .tag("topic", topic).tag("group", group).register(registry).increment();
    }

    /** The exception's simple name; an anonymous class has none, and an empty tag value would hide what failed. */
    static String exceptionTag(Throwable error) {
        String simple = error.getClass().getSimpleName();
        return simple.isEmpty() ? error.getClass().getName() : simple;
    }

    @Override
    public void deadLettered(String topic, String group) {
        Counter.builder("courier.dead.letters").description("Messages sent to the dead-letter topic")
                .tag("topic", topic).tag("group", group).register(registry).increment();
    }
}
