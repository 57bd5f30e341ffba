package io.courier.core;

/**
 * How a publisher writes the envelope into record headers. Subscribers read every format, and records without an
 * envelope, whatever the publisher's setting. The default is {@link #COMPACT}; choose {@link #CLOUD_EVENTS} when
 * consumers outside Courier expect CloudEvents.
 */
public enum EnvelopeFormat {
    /**
     * The CloudEvents Kafka protocol binding, binary mode: {@code ce_specversion}, {@code ce_id}, {@code ce_type},
     * {@code ce_source}, {@code ce_time}, {@code content-type}, plus {@code ce_correlationid} and
     * {@code ce_causationid} when a message continues a flow. Any CloudEvents-aware consumer understands them, at the
     * price of six headers per record instead of one.
     */
    CLOUD_EVENTS,
    /**
     * One text header, {@code courier-envelope}: {@code 1|type|source|content type|epoch millis|id} plus
     * {@code |correlation id|causation id} when a message continues a flow ({@code |} and {@code %} inside a field
     * are written {@code %7C} and {@code %25}). The same fields in one header instead of six: Kafka's producer and
     * broker do work per header per record, and with small records that work is a measurable share of the cost.
     * The default.
     */
    COMPACT,
    /**
     * One binary header, {@code courier}: the same fields as {@link #COMPACT}, with the ids as 16-byte UUIDs, the
     * time as a varint and the common content types as one-byte codes; the type and source stay UTF-8 text inside
     * it. 54 bytes per record instead of 116 (for a 5-character type and a 13-character source), for topics
     * where the envelope is a noticeable share of small records. Courier's subscribers and {@code courier consume}
     * decode it; Kafka's own tools print it as unreadable bytes.
     */
    BINARY
}
