package io.courier.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class SerdesTest {
    private final Serde<OrderEvent> serde = Serdes.json(OrderEvent.class);

    @Test
    void roundTripsEachRecordOfASealedHierarchyByItsMessageType() {
        OrderEvent placed = new OrderEvent.OrderPlaced("o-1", 4200, Instant.parse("2026-11-24T10:15:30Z"));
        OrderEvent cancelled = new OrderEvent.OrderCancelled("o-1", "changed my mind");
        for (OrderEvent e : new OrderEvent[] {placed, cancelled}) {
            byte[] json = serde.serialize(e);
            assertThat(serde.deserialize(json, serde.messageType(e))).isEqualTo(e);
        }
        assertThat(serde.messageType(placed)).isEqualTo("OrderPlaced");
    }

    @Test
    void writesPlainJsonWithIsoTimestamps() {
        byte[] json = serde.serialize(new OrderEvent.OrderPlaced("o-1", 4200, Instant.parse("2026-11-24T10:15:30Z")));
        assertThat(new String(json, StandardCharsets.UTF_8))
                .isEqualTo("{\"orderId\":\"o-1\",\"amountCents\":4200,\"placedAt\":\"2026-11-24T10:15:30Z\"}");
    }

    @Test
    void ignoresUnknownFieldsSoOldReadersAcceptNewWriters() {
        byte[] json = "{\"orderId\":\"o-2\",\"reason\":\"x\",\"addedLater\":true}".getBytes(StandardCharsets.UTF_8);
        assertThat(serde.deserialize(json, "OrderCancelled")).isEqualTo(new OrderEvent.OrderCancelled("o-2", "x"));
    }

    @Test
    void aSealedTypeWithoutMessageTypeNamesTheExpectedTypes() {
        SerdeException e = assertThrows(SerdeException.class, () -> serde.deserialize("{}".getBytes(StandardCharsets.UTF_8), null));
        assertThat(e).hasMessage("no message type in the envelope, so the record of sealed type OrderEvent cannot be "
                + "read; expected one of [OrderCancelled, OrderPlaced]");
    }

    @Test
    void anUnknownMessageTypeIsNamed() {
        SerdeException e = assertThrows(SerdeException.class,
                () -> serde.deserialize("{}".getBytes(StandardCharsets.UTF_8), "OrderShipped"));
        assertThat(e).hasMessageStartingWith("unknown message type 'OrderShipped' for sealed type OrderEvent");
    }

    @Test
    void malformedJsonNamesTheTargetType() {
        SerdeException e = assertThrows(SerdeException.class,
                () -> serde.deserialize("not json".getBytes(StandardCharsets.UTF_8), "OrderPlaced"));
        assertThat(e.getMessage()).startsWith("cannot read the JSON as OrderPlaced: ").contains("Unrecognized token 'not'");
    }

    @Test
    void stringAndBytesSerdesAreIdentityLike() {
        assertThat(Serdes.string().deserialize(Serdes.string().serialize("héllo"), null)).isEqualTo("héllo");
        byte[] raw = {1, 2, 3};
        assertThat(Serdes.bytes().deserialize(Serdes.bytes().serialize(raw), null)).isEqualTo(raw);
        assertThat(Serdes.string().contentType()).startsWith("text/plain");
    }

    record Booking(java.time.OffsetDateTime at, java.time.Duration length) {}

    @Test
    void keepsATimesOffsetAndWritesDurationsAsIso8601() {
        Serde<Booking> serde = Serdes.json(Booking.class);
        Booking booking = new Booking(java.time.OffsetDateTime.parse("2026-11-25T10:15:30+02:00"),
                java.time.Duration.ofSeconds(90));

        byte[] json = serde.serialize(booking);

        assertThat(new String(json, StandardCharsets.UTF_8)).contains("\"length\":\"PT1M30S\"")
                .contains("\"at\":\"2026-11-25T10:15:30+02:00\"");
        assertThat(serde.deserialize(json, "Booking")).isEqualTo(booking);
        assertThat(serde.deserialize("{\"at\":\"2026-11-25T08:15:30Z\",\"length\":90.0}"
                .getBytes(StandardCharsets.UTF_8), "Booking").length()).as("the numeric form is still read")
                .isEqualTo(java.time.Duration.ofSeconds(90));
    }

    @Test
    void jsonSerdesOfOneTypeAndMapperAreEqualAndOtherMappersAreNot() {
        assertThat(Serdes.json(Parcel.class)).isEqualTo(Serdes.json(Parcel.class))
                .hasSameHashCodeAs(Serdes.json(Parcel.class))
                .isNotEqualTo(Serdes.json(Booking.class))
                .isNotEqualTo(Serdes.json(Parcel.class, new com.fasterxml.jackson.databind.ObjectMapper()));
    }

    record Parcel(String id, java.util.Optional<String> note, java.util.OptionalInt weight) {}

    @Test
    void readsAndWritesOptionalFieldsAndReadsAnAbsentOneAsEmpty() {
        Serde<Parcel> serde = Serdes.json(Parcel.class);
        Parcel full = new Parcel("p-1", java.util.Optional.of("fragile"), java.util.OptionalInt.of(12));
        Parcel bare = new Parcel("p-2", java.util.Optional.empty(), java.util.OptionalInt.empty());

        assertThat(new String(serde.serialize(full), StandardCharsets.UTF_8))
                .isEqualTo("{\"id\":\"p-1\",\"note\":\"fragile\",\"weight\":12}");
        assertThat(serde.deserialize(serde.serialize(full), "Parcel")).isEqualTo(full);
        assertThat(new String(serde.serialize(bare), StandardCharsets.UTF_8))
                .isEqualTo("{\"id\":\"p-2\",\"note\":null,\"weight\":null}");
        assertThat(serde.deserialize(serde.serialize(bare), "Parcel")).isEqualTo(bare);
        assertThat(serde.deserialize("{\"id\":\"p-2\"}".getBytes(StandardCharsets.UTF_8), "Parcel"))
                .as("written before the optional fields existed").isEqualTo(bare);
    }

    /** Bound through its setter and its field, as Jackson binds a class that is not a record. */
    static final class Shipment {
        private String id;
        private java.util.Optional<String> note = java.util.Optional.empty();
        public java.util.Optional<String> carrier = java.util.Optional.of("post");
        public java.util.Optional<String> uninitialised;

        public String getId() {
            return id;
        }

        public void setId(String id) {
            this.id = id;
        }

        public java.util.Optional<String> getNote() {
            return note;
        }

        public void setNote(java.util.Optional<String> note) {
            this.note = note;
        }
    }

    @Test
    void inAClassBoundByFieldsOrSettersAnAbsentOptionalStaysAsTheClassInitialisesIt() {
        Serde<Shipment> serde = Serdes.json(Shipment.class);

        Shipment old = serde.deserialize("{\"id\":\"s-1\"}".getBytes(StandardCharsets.UTF_8), "Shipment");
        Shipment current = serde.deserialize(("{\"id\":\"s-2\",\"note\":\"fragile\",\"carrier\":\"courier\","
                + "\"uninitialised\":\"set\"}").getBytes(StandardCharsets.UTF_8), "Shipment");

        assertThat(old.getId()).isEqualTo("s-1");
        assertThat(old.getNote()).as("initialised to Optional.empty(): an absent one reads as empty").isEmpty();
        assertThat(old.carrier).as("an absent one keeps the class's own value, empty or not").contains("post");
        assertThat(old.uninitialised).as("not initialised: an absent one stays null, not empty").isNull();
        assertThat(current.getNote()).contains("fragile");
        assertThat(current.carrier).contains("courier");
        assertThat(current.uninitialised).contains("set");
    }

    @Test
    void eachSerdeWritesTheContentTypeTheEnvelopeDocumentationNames() {
        assertThat(Serdes.json(OrderEvent.class).contentType()).isEqualTo("application/json");
        assertThat(Serdes.json(Parcel.class, new com.fasterxml.jackson.databind.ObjectMapper()).contentType())
                .isEqualTo("application/json");
        assertThat(Serdes.string().contentType()).isEqualTo("text/plain; charset=utf-8");
        assertThat(Serdes.bytes().contentType()).isEqualTo("application/octet-stream");
    }

    enum Priority {
        LOW,
        HIGH {
            @Override
            public String toString() {
                return "high!";
            }
        }
    }

    @Test
    void anEnumConstantWithABodyIsTypedByItsEnum() {
        assertThat(Serdes.json(Priority.class).messageType(Priority.HIGH)).isEqualTo("Priority");
        assertThat(Serdes.json(Priority.class).messageType(Priority.LOW)).isEqualTo("Priority");
    }
}
