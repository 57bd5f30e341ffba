package io.courier.eventsourcing.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.courier.common.CourierException;
import io.courier.eventsourcing.Aggregate;
import io.courier.eventsourcing.Decision;
import io.courier.eventsourcing.EventHeaders;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Events and states to bytes and back, without a broker. */
class EventCodecTest {
    sealed interface Light permits On, Off {}

    record On(int watts) implements Light {}

    record Off() implements Light {}

    record Switch() {}

    record Switched(int watts) {}

    private static Aggregate<Light, Switch, Switched> lights(boolean brokenUpcaster) {
        return Aggregate.builder("light", Light.class, Switch.class, Switched.class)
                .decide((light, command) -> Decision.accept(new Switched(60)))
                .evolve((light, event) -> light instanceof On ? new Off() : new On(event.watts()))
                .upcast("Switched", 1, v1 -> {
                    if (brokenUpcaster) {
                        throw new IllegalStateException("no watts in " + v1);
                    }
                    return v1.put("watts", 40);
                })
                .build();
    }

    private static final byte[] V1 = "{}".getBytes(StandardCharsets.UTF_8);

    @Test
    void aStateOfASealedTypeIsStoredWithItsConcreteTypeAndReadBack() {
        EventCodec<Light, Switch, Switched> codec = new EventCodec<>(lights(false));

        byte[] on = codec.encodeState(3, new On(60));
        byte[] off = codec.encodeState(4, new Off());

        assertThat(codec.storedVersion(on)).isEqualTo(3);
        assertThat(codec.storedState(on)).isEqualTo(new On(60));
        assertThat(codec.storedState(off)).isEqualTo(new Off());
    }

    @Test
    void aSealedStateStoredAsPlainJsonFailsNamingTheMissingTypeInsteadOfMisreadingItsBytes() {
        EventCodec<Light, Switch, Switched> codec = new EventCodec<>(lights(false));
        byte[] plain = java.nio.ByteBuffer.allocate(8 + 2).putLong(1).put("{}".getBytes(StandardCharsets.UTF_8))
                .array();

        // Without a type the sealed serde cannot pick a record: the error names that, it does not misread bytes.
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> codec.storedState(plain)))
                .hasMessageContaining("no message type");
    }

    @Test
    void oldEventsAreUpcastAndHeadersThatAreNotVersionsAreNamed() {
        EventCodec<Light, Switch, Switched> codec = new EventCodec<>(lights(false));
        assertThat(codec.decode(V1, "Switched", "7", "1", "light.events-0@7").event()).isEqualTo(new Switched(40));
        assertThat(codec.decode(V1, "Switched", "7", null, "light.events-0@7").version()).isEqualTo(7);

        for (String schema : new String[] {"x", "0", "-1"}) {
            CourierException e = assertThrows(CourierException.class,
                    () -> codec.decode(V1, "Switched", "7", schema, "light.events-0@7"));
            assertThat(e).hasMessage("event light.events-0@7 of type 'Switched' has header "
                    + EventHeaders.SCHEMA_VERSION + "='" + schema + "'; expected a number from 1 up");
        }
        CourierException version = assertThrows(CourierException.class,
                () -> codec.decode(V1, "Switched", "v7", "1", "light.events-0@7"));
        assertThat(version).hasMessage("event light.events-0@7 of type 'Switched' has header "
                + EventHeaders.AGGREGATE_VERSION + "='v7'; expected a number from 1 up");
    }

    @Test
    void anUpcasterThatThrowsIsNamedWithTheEventItFailedOn() {
        EventCodec<Light, Switch, Switched> codec = new EventCodec<>(lights(true));

        CourierException e = assertThrows(CourierException.class,
                () -> codec.decode(V1, "Switched", "7", "1", "light.events-0@7"));

        assertThat(e).hasMessage("the upcaster of 'Switched' from schema 1 failed on event light.events-0@7: "
                + "java.lang.IllegalStateException: no watts in {}").hasCauseInstanceOf(IllegalStateException.class);
    }
}
