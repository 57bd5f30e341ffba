package io.courier.eventsourcing;

import static io.courier.common.Preconditions.requireArgument;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.courier.core.Serde;
import io.courier.core.Serdes;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiFunction;
import java.util.function.UnaryOperator;

/**
 * An event-sourced aggregate type, in plain Java: a state, a command handler that decides, and an event applier
 * that evolves the state. Commands and events are records in sealed hierarchies (JSON on the wire, their simple
 * class name as the envelope's message type). An aggregate that has no event yet has the state {@code null}. Immutable; build
 * with {@link #builder}. The canonical constructor validates like {@link Builder#build()}.
 *
 * @param name       the aggregate type, for instance {@code account}; names its topics
 * @param stateType  the state's class
 * @param commands   serde of the commands (a sealed hierarchy)
 * @param events     serde of the events (a sealed hierarchy)
 * @param decide     (state or null, command) to a decision; must not have side effects
 * @param evolve     (state or null, event) to the next state; must be total over the events it decided
 * @param partitions partitions of the commands and events topics (and so the processor's parallelism)
 * @param upcasters  per event type, per schema version, how to turn it into the next version
 * @param <S>        the state type
 * @param <C>        the command type
 * @param <E>        the event type
 */
public record Aggregate<S, C, E>(String name, Class<S> stateType, Serde<C> commands, Serde<E> events,
        BiFunction<S, C, Decision<E>> decide, BiFunction<S, E, S> evolve, int partitions,
        Map<String, Map<Integer, UnaryOperator<ObjectNode>>> upcasters) {

    public Aggregate {
        // Here, not only in build(): the canonical constructor is public, and must not make aggregates build() refuses.
        requireArgument(name != null && name.matches("[A-Za-z0-9._-]+"),
                "aggregate name must be letters, digits, '.', '_' or '-', but was '%s'", name);
        Objects.requireNonNull(stateType, "stateType");
        Objects.requireNonNull(commands, "commands");
        Objects.requireNonNull(events, "events");
        requireArgument(decide != null, "aggregate '%s' needs decide(...): (state, command) -> decision", name);
        requireArgument(evolve != null, "aggregate '%s' needs evolve(...): (state, event) -> state", name);
        requireArgument(partitions >= 1, "partitions must be at least 1, but was %s", partitions);
        Objects.requireNonNull(upcasters, "upcasters");
        upcasters.forEach((type, steps) -> {
            for (int v = 1; v <= steps.size(); v++) {
                requireArgument(steps.containsKey(v), "upcasters of event type '%s' must start at version 1 and have "
                        + "no gap, but they are for versions %s", type, steps.keySet());
            }
        });
        // Deep: the builder keeps its own maps, and a later upcast() on it must not change this aggregate.
        Map<String, Map<Integer, UnaryOperator<ObjectNode>>> copy = new HashMap<>();
        upcasters.forEach((type, steps) -> copy.put(type, Map.copyOf(steps)));
        upcasters = Map.copyOf(copy);
    }

    /** @return {@code <name>.commands} */
    public String commandsTopic() {
        return name + ".commands";
    }

    /** @return {@code <name>.events}, the event store: keyed by aggregate id, unlimited retention */
    public String eventsTopic() {
        return name + ".events";
    }

    /** @param eventType an event's type name @return the schema version events of that type are written with */
    public int schemaVersion(String eventType) {
        Map<Integer, UnaryOperator<ObjectNode>> steps = upcasters.get(eventType);
        // build() checked that the steps run from version 1 without a gap
        return steps == null ? 1 : steps.size() + 1;
    }

    /**
     * @param name      the aggregate type name: letters, digits, '.', '_' or '-'
     * @param stateType the state's class
     * @param commands  the sealed command type
     * @param events    the sealed event type
     * @param <S>       the state type
     * @param <C>       the command type
     * @param <E>       the event type
     * @return a builder
     */
    public static <S, C, E> Builder<S, C, E> builder(String name, Class<S> stateType, Class<C> commands, Class<E> events) {
        return new Builder<>(name, stateType, Serdes.json(commands), Serdes.json(events));
    }

    /** Collects the parts; {@link #build()} validates them. Not thread-safe. */
    public static final class Builder<S, C, E> {
        private final String name;
        private final Class<S> stateType;
        private final Serde<C> commands;
        private final Serde<E> events;
        private BiFunction<S, C, Decision<E>> decide;
        private BiFunction<S, E, S> evolve;
        private int partitions = 3;
        private final Map<String, Map<Integer, UnaryOperator<ObjectNode>>> upcasters = new HashMap<>();

        private Builder(String name, Class<S> stateType, Serde<C> commands, Serde<E> events) {
            this.name = name;
            this.stateType = stateType;
            this.commands = commands;
            this.events = events;
        }

        /** @param decide (state or null, command) to a decision @return this builder */
        public Builder<S, C, E> decide(BiFunction<S, C, Decision<E>> decide) {
            this.decide = decide;
            return this;
        }

        /** @param evolve (state or null, event) to the next state @return this builder */
        public Builder<S, C, E> evolve(BiFunction<S, E, S> evolve) {
            this.evolve = evolve;
            return this;
        }

        /** @param partitions partitions of the aggregate's topics @return this builder */
        public Builder<S, C, E> partitions(int partitions) {
            this.partitions = partitions;
            return this;
        }

        /**
         * Registers how an old event schema becomes the next one. Events are written with the latest version; older
         * ones on the topic are upcast step by step when read.
         *
         * @param eventType   the event's type name (the envelope's message type: the record's simple name)
         * @param fromVersion the version this step reads, 1 for the first
         * @param step        turns the JSON of {@code fromVersion} into {@code fromVersion + 1}
         * @return this builder
         */
        public Builder<S, C, E> upcast(String eventType, int fromVersion, UnaryOperator<ObjectNode> step) {
            upcasters.computeIfAbsent(eventType, t -> new HashMap<>()).put(fromVersion, step);
            return this;
        }

        /**
         * @return the aggregate
         * @throws IllegalArgumentException naming the first missing or invalid part
         */
        public Aggregate<S, C, E> build() {
            return new Aggregate<>(name, stateType, commands, events, decide, evolve, partitions, upcasters);
        }
    }
}
