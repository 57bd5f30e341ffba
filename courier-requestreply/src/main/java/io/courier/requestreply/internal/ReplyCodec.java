package io.courier.requestreply.internal;

import io.courier.common.JvmErrors;
import io.courier.core.Envelope;
import io.courier.core.internal.EnvelopeCodec;
import io.courier.requestreply.Endpoint;
import io.courier.requestreply.Reply;
import io.courier.requestreply.ReplyHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** Reads replies: the correlation id they answer, their status, and the typed value or the error. */
final class ReplyCodec {
    /** Header values are not meant for stack traces: an error message longer than this is cut. */
    static final int MAX_ERROR_MESSAGE = 2000;

    private ReplyCodec() {}

    static <R> Reply<R> decode(ConsumerRecord<byte[], byte[]> record, Endpoint<?, ?, R> endpoint, String correlationId) {
        String where = record.topic() + "-" + record.partition() + "@" + record.offset();
        Envelope envelope = EnvelopeCodec.read(record.headers(), where, "reply", endpoint.replies().contentType(),
                Instant.ofEpochMilli(record.timestamp()));
        if (ReplyHeaders.FAILURE.equals(EnvelopeCodec.text(record.headers(), ReplyHeaders.STATUS))) {
            String type = EnvelopeCodec.text(record.headers(), ReplyHeaders.ERROR_TYPE);
            String message = record.value() == null ? "" : new String(record.value(), StandardCharsets.UTF_8);
            return new Reply.Failure<>(correlationId, type == null ? "unknown" : type, message, envelope);
        }
        if (record.value() == null) {
            return new Reply.Failure<>(correlationId, io.courier.core.SerdeException.class.getName(),
                    "the reply at " + where + " has no value", envelope);
        }
        try {
            return new Reply.Success<>(correlationId, endpoint.replies().deserialize(record.value(),
                    EnvelopeCodec.messageType(record.headers())), envelope);
        } catch (Throwable e) {
            // A reply the caller cannot read is still an answer: say so now rather than let the caller time out.
            // The errors of serde code too (a NoClassDefFoundError, a StackOverflowError): thrown out of here they
            // would end the thread that reads every reply of this requester. The JVM's own errors (OutOfMemoryError)
            // do end it, as they end any Courier consumer thread.
            JvmErrors.rethrowIfJvms(e);
            return new Reply.Failure<>(correlationId, io.courier.core.SerdeException.class.getName(),
                    "cannot deserialize the reply at " + where + " as " + endpoint.replies().type().getSimpleName()
                            + ": " + e.getMessage(), envelope);
        }
    }

    static String truncate(String message) {
        if (message == null) {
            return "";
        }
        return message.length() <= MAX_ERROR_MESSAGE ? message : message.substring(0, MAX_ERROR_MESSAGE) + "...";
    }
}
