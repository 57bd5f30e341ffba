package io.courier.eventsourcing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.courier.core.Serdes;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The aggregate declaration, without a broker. */
class AggregateTest {
    @Test
    void anAggregateKeepsItsUpcastersWhenItsBuilderGoesOn() {
        Aggregate.Builder<Accounts.Account, Accounts.Command, Accounts.Event> builder = Aggregate.builder("acct",
                Accounts.Account.class, Accounts.Command.class, Accounts.Event.class)
                .decide(Accounts::decide).evolve(Accounts::evolve)
                .upcast("Deposited", 1, v1 -> v1);
        Aggregate<Accounts.Account, Accounts.Command, Accounts.Event> v2 = builder.build();

        builder.upcast("Deposited", 2, v -> v);
        Aggregate<Accounts.Account, Accounts.Command, Accounts.Event> v3 = builder.build();

        assertThat(v2.schemaVersion("Deposited")).as("built before the second upcaster").isEqualTo(2);
        assertThat(v2.upcasters().get("Deposited")).containsOnlyKeys(1);
        assertThat(v3.schemaVersion("Deposited")).isEqualTo(3);
    }

    @Test
    void theCanonicalConstructorRefusesWhatTheBuilderRefuses() {
        IllegalArgumentException partitions = assertThrows(IllegalArgumentException.class, () -> new Aggregate<>(
                "acct", Accounts.Account.class, Serdes.json(Accounts.Command.class), Serdes.json(Accounts.Event.class),
                Accounts::decide, Accounts::evolve, 0, Map.of()));
        assertThat(partitions).hasMessage("partitions must be at least 1, but was 0");

        IllegalArgumentException name = assertThrows(IllegalArgumentException.class, () -> new Aggregate<>(
                "a b", Accounts.Account.class, Serdes.json(Accounts.Command.class), Serdes.json(Accounts.Event.class),
                Accounts::decide, Accounts::evolve, 3, Map.of()));
        assertThat(name).hasMessage("aggregate name must be letters, digits, '.', '_' or '-', but was 'a b'");

        IllegalArgumentException gap = assertThrows(IllegalArgumentException.class, () -> new Aggregate<>(
                "acct", Accounts.Account.class, Serdes.json(Accounts.Command.class), Serdes.json(Accounts.Event.class),
                Accounts::decide, Accounts::evolve, 3, Map.of("Deposited", Map.of(2, v -> v))));
        assertThat(gap).hasMessageStartingWith("upcasters of event type 'Deposited' must start at version 1");
    }
}
