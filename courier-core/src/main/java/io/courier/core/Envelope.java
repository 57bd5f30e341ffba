package io.courier.core;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The metadata Courier writes into every record's headers, in the configured {@link EnvelopeFormat}: by default one
 * text header, {@code courier-envelope}; one binary header, {@code courier}; or the CloudEvents Kafka binding (binary mode: {@code ce_id},
 * {@code ce_type}, {@code ce_source}, {@code ce_time}, {@code content-type}, with the correlation and causation ids
 * as {@code ce_correlationid} and {@code ce_causationid}). The W3C {@code traceparent} is a header of its own in all three.
 * The value stays the plain serialized payload, so any Kafka client can read it.
 *
 * @param messageId     unique per message (a random UUID)
 * @param messageType   what the payload is, for instance {@code OrderPlaced}
 * @param correlationId the id shared by every message of one flow (a request and everything it caused)
 * @param causationId   the id of the message whose handling produced this one; empty for an origin
 * @param source        the service that published it
 * @param createdAt     when it was published
 * @param contentType   the payload's content type, for instance {@code application/json}
 * @param traceparent   the W3C trace context, when the message is part of a trace
 */
public record Envelope(String messageId, String messageType, String correlationId, Optional<String> causationId,
        String source, Instant createdAt, String contentType, Optional<String> traceparent) {

    /** Header names, as written on the record. */
    public static final class Headers {
        public static final String SPEC_VERSION = "ce_specversion";
        public static final String ID = "ce_id";
        public static final String TYPE = "ce_type";
        public static final String SOURCE = "ce_source";
        public static final String TIME = "ce_time";
        public static final String CONTENT_TYPE = "content-type";
        public static final String CORRELATION_ID = "ce_correlationid";
        public static final String CAUSATION_ID = "ce_causationid";
        public static final String TRACEPARENT = "traceparent";
        /** The whole envelope in one header, as {@link io.courier.core.EnvelopeFormat#COMPACT} writes it. */
        public static final String COMPACT = "courier-envelope";
        /** The whole envelope in one binary header, as {@link io.courier.core.EnvelopeFormat#BINARY} writes it. */
        public static final String BINARY = "courier";
        /** Every envelope header name. */
        public static final java.util.Set<String> ALL = java.util.Set.of(SPEC_VERSION, ID, TYPE, SOURCE, TIME,
                CONTENT_TYPE, CORRELATION_ID, CAUSATION_ID, TRACEPARENT, COMPACT, BINARY);

        private Headers() {}

        /**
         * @param name a header name
         * @return whether the name belongs to an envelope (one of {@link #ALL}, or any CloudEvents {@code ce_*}
         *     attribute), so that a message's own headers may not use it
         */
        public static boolean isReserved(String name) {
            return name.startsWith("ce_") || ALL.contains(name);
        }
    }

    public Envelope {
        Objects.requireNonNull(messageId, "messageId");
        Objects.requireNonNull(messageType, "messageType");
        Objects.requireNonNull(correlationId, "correlationId");
        Objects.requireNonNull(causationId, "causationId");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(contentType, "contentType");
        Objects.requireNonNull(traceparent, "traceparent");
    }
}
