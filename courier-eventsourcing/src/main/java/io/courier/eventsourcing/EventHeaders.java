package io.courier.eventsourcing;

/** Headers of commands and events, next to Courier's envelope (whose message type names the command or event type). */
public final class EventHeaders {
    /** On a command: the aggregate version the sender expects; a mismatch is rejected with the current version. */
    public static final String EXPECTED_VERSION = "courier-expected-version";
    /** On an event: the aggregate's version once this event is applied (1 for its first event). */
    public static final String AGGREGATE_VERSION = "courier-aggregate-version";
    /** On an event: the version of the event's schema, for upcasting; absent means 1. */
    public static final String SCHEMA_VERSION = "courier-schema-version";

    private EventHeaders() {}
}
