package io.courier.requestreply;

import io.courier.core.Envelope;
import java.time.Instant;
import java.util.Objects;

/**
 * The outcome of one request: the responder's answer, the responder's error, or no answer before the deadline.
 * A request that could not be published at all completes its future exceptionally instead.
 *
 * @param <R> the reply type
 */
public sealed interface Reply<R> permits Reply.Success, Reply.Failure, Reply.Timeout {

    /** @return the request's correlation id */
    String correlationId();

    /**
     * The responder answered.
     *
     * @param correlationId the request's correlation id
     * @param value         the reply
     * @param envelope      the reply's envelope (responder service, message id, causation id = the request's id)
     * @param <R>           the reply type
     */
    record Success<R>(String correlationId, R value, Envelope envelope) implements Reply<R> {
        public Success {
            Objects.requireNonNull(correlationId, "correlationId");
            Objects.requireNonNull(envelope, "envelope");
        }
    }

    /**
     * The responder's handler failed; its error travelled back instead of the caller waiting for a timeout.
     *
     * @param correlationId the request's correlation id
     * @param errorType     the exception's class name, as the responder saw it
     * @param message       the exception's message (may be empty)
     * @param envelope      the reply's envelope
     * @param <R>           the reply type
     */
    record Failure<R>(String correlationId, String errorType, String message, Envelope envelope) implements Reply<R> {
        public Failure {
            Objects.requireNonNull(correlationId, "correlationId");
            Objects.requireNonNull(errorType, "errorType");
            Objects.requireNonNull(message, "message");
            Objects.requireNonNull(envelope, "envelope");
        }
    }

    /**
     * No reply arrived before the deadline. A reply that arrives later is dropped and counted, never delivered.
     *
     * @param topic         the request topic
     * @param correlationId the request's correlation id
     * @param deadline      when the caller stopped waiting (send time + timeout)
     * @param <R>           the reply type
     */
    record Timeout<R>(String topic, String correlationId, Instant deadline) implements Reply<R> {
        public Timeout {
            Objects.requireNonNull(topic, "topic");
            Objects.requireNonNull(correlationId, "correlationId");
            Objects.requireNonNull(deadline, "deadline");
        }

        /** @return a sentence naming the topic, correlation id and deadline */
        public String describe() {
            return "no reply to request " + correlationId + " on topic '" + topic + "' before its deadline " + deadline;
        }
    }
}
