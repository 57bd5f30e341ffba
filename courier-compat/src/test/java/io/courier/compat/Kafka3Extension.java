package io.courier.compat;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Resolves a {@link Kafka3Broker} parameter with one broker shared by every test class of the run, started on first
 * use and stopped when the run ends: the test classes here use distinct topic and group names.
 */
final class Kafka3Extension implements ParameterResolver {
    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == Kafka3Broker.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return context.getRoot().getStore(ExtensionContext.Namespace.create(Kafka3Extension.class))
                .getOrComputeIfAbsent(Kafka3Broker.class, k -> {
                    try {
                        // JUnit closes an AutoCloseable value of the root store when the run ends.
                        return Kafka3Broker.start();
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException("interrupted while starting the Kafka 3 broker", e);
                    }
                }, Kafka3Broker.class);
    }
}
