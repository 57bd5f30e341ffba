package io.courier.core;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The handlers of one subscriber, one per message type: a value is handled by the handler registered for its
 * class, else by the first registered supertype, else by the fallback. A message that no handler accepts goes to
 * the dead-letter topic. Immutable and thread-safe.
 *
 * <pre>{@code
 * Handlers<String, OrderEvent> handlers = Handlers.<String, OrderEvent>builder()
 *         .on(OrderPlaced.class, (msg, ctx) -> bill(msg.value()))
 *         .on(OrderCancelled.class, (msg, ctx) -> refund(msg.value()))
 *         .build();
 * }</pre>
 *
 * @param <K> the key type
 * @param <V> the topic's value type
 */
public final class Handlers<K, V> {
    private final Map<Class<?>, MessageHandler<K, ?>> byType;
    private final MessageHandler<K, V> fallback;
    /** Registration order, for the supertype search. */
    private final Class<?>[] order;

    private Handlers(Map<Class<?>, MessageHandler<K, ?>> byType, MessageHandler<K, V> fallback) {
        this.byType = Map.copyOf(byType);
        this.fallback = fallback;
        this.order = byType.keySet().toArray(new Class<?>[0]);
    }

    /** @param <K> key type @param <V> value type @return a builder */
    public static <K, V> Builder<K, V> builder() {
        return new Builder<>();
    }

    /**
     * @param handler handles every message
     * @param <K>     key type
     * @param <V>     value type
     * @return handlers with one handler for all values
     */
    public static <K, V> Handlers<K, V> all(MessageHandler<K, V> handler) {
        return Handlers.<K, V>builder().otherwise(handler).build();
    }

    /**
     * @param value a value, or {@code null} for a tombstone (which only the fallback handler receives)
     * @return the handler for it, if any
     */
    @SuppressWarnings("unchecked") // registration guarantees that the handler accepts the type it is keyed by
    public Optional<MessageHandler<K, V>> find(V value) {
        if (value == null) {
            return Optional.ofNullable(fallback);
        }
        MessageHandler<K, ?> exact = byType.get(value.getClass());
        if (exact != null) {
            return Optional.of((MessageHandler<K, V>) exact);
        }
        for (Class<?> type : order) {
            if (type.isInstance(value)) {
                return Optional.of((MessageHandler<K, V>) byType.get(type));
            }
        }
        return Optional.ofNullable(fallback);
    }

    /** Collects handlers. Not thread-safe. */
    public static final class Builder<K, V> {
        private final Map<Class<?>, MessageHandler<K, ?>> byType = new LinkedHashMap<>();
        private MessageHandler<K, V> fallback;

        private Builder() {}

        /**
         * @param type    a value type (a record of the topic's sealed hierarchy, for instance)
         * @param handler its handler
         * @param <T>     the type
         * @return this builder
         * @throws IllegalArgumentException if the type has a handler already
         */
        public <T extends V> Builder<K, V> on(Class<T> type, MessageHandler<K, T> handler) {
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(handler, "handler");
            if (byType.putIfAbsent(type, handler) != null) {
                throw new IllegalArgumentException("message type " + type.getName() + " has a handler already");
            }
            return this;
        }

        /** @param handler handles values that no typed handler accepts @return this builder */
        public Builder<K, V> otherwise(MessageHandler<K, V> handler) {
            this.fallback = Objects.requireNonNull(handler, "handler");
            return this;
        }

        /**
         * @return the handlers
         * @throws IllegalArgumentException if no handler was registered
         */
        public Handlers<K, V> build() {
            if (byType.isEmpty() && fallback == null) {
                throw new IllegalArgumentException("a subscriber needs at least one handler");
            }
            return new Handlers<>(byType, fallback);
        }
    }
}
