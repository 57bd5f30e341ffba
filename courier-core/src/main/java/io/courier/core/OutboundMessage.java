package io.courier.core;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A message to publish with more than a key and a value: extra headers, or ids that continue a flow.
 * Immutable; each {@code with} method returns a copy.
 *
 * @param key           the key, or {@code null} to spread messages over partitions
 * @param value         the value, never {@code null}
 * @param headers       extra headers (UTF-8)
 * @param correlationId the flow's id; empty means "a new flow", whose id is the message id
 * @param causationId   the id of the message that caused this one, if any
 * @param traceparent   a W3C trace context to carry, if any
 * @param partition     the partition to write to; empty lets the key (or the partitioner) decide
 * @param <K>           the key type
 * @param <V>           the value type
 */
public record OutboundMessage<K, V>(K key, V value, Map<String, String> headers, Optional<String> correlationId,
        Optional<String> causationId, Optional<String> traceparent, OptionalInt partition) {

    /**
     * @throws IllegalArgumentException if a header name belongs to the envelope, or the partition is negative
     */
    public OutboundMessage {
        java.util.Objects.requireNonNull(value, "value");
        headers = Map.copyOf(headers);
        headers.keySet().forEach(OutboundMessage::requireOwnHeader); // the reader would take them for the envelope
        if (partition.isPresent() && partition.getAsInt() < 0) {
            throw new IllegalArgumentException("partition must be >= 0, was " + partition.getAsInt());
        }
    }

    /**
     * @param key   the key, or {@code null}
     * @param value the value
     * @param <K>   the key type
     * @param <V>   the value type
     * @return a message with no extra headers that starts a new flow
     */
    public static <K, V> OutboundMessage<K, V> of(K key, V value) {
        return new OutboundMessage<>(key, value, Map.of(), Optional.empty(), Optional.empty(), Optional.empty(),
                OptionalInt.empty());
    }

    /**
     * @param name  header name; not one of the envelope's ({@code ce_*}, {@code content-type}, {@code traceparent})
     * @param value header value
     * @return a copy with the header added
     * @throws IllegalArgumentException if the name belongs to the envelope
     */
    public OutboundMessage<K, V> withHeader(String name, String value) {
        requireOwnHeader(name);
        Map<String, String> copy = new LinkedHashMap<>(headers);
        copy.put(name, value);
        return new OutboundMessage<>(key, value(), copy, correlationId, causationId, traceparent, partition);
    }

    /** @param id the correlation id to continue @return a copy */
    public OutboundMessage<K, V> withCorrelationId(String id) {
        return new OutboundMessage<>(key, value, headers, Optional.of(id), causationId, traceparent, partition);
    }

    /** @param id the id of the causing message @return a copy */
    public OutboundMessage<K, V> withCausationId(String id) {
        return new OutboundMessage<>(key, value, headers, correlationId, Optional.of(id), traceparent, partition);
    }

    /** @param traceparent a W3C trace context @return a copy */
    public OutboundMessage<K, V> withTraceparent(String traceparent) {
        return new OutboundMessage<>(key, value, headers, correlationId, causationId, Optional.of(traceparent),
                partition);
    }

    /**
     * @param partition the partition to write to, overriding the key's partition; for replies routed to the
     *                  partition a requester reads
     * @return a copy
     * @throws IllegalArgumentException if the partition is negative
     */
    public OutboundMessage<K, V> withPartition(int partition) {
        return new OutboundMessage<>(key, value, headers, correlationId, causationId, traceparent,
                OptionalInt.of(partition));
    }

    private static void requireOwnHeader(String name) {
        if (Envelope.Headers.isReserved(name)) {
            throw new IllegalArgumentException("header '" + name + "' belongs to Courier's envelope; set ids with "
                    + "withCorrelationId/withCausationId/withTraceparent, and choose another name for your own header");
        }
    }
}
