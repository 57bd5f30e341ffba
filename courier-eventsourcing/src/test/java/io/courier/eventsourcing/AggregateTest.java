package io.courier.eventsourcing;

import static org.assertj.core.api.Assertions.assertThat;

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
}
