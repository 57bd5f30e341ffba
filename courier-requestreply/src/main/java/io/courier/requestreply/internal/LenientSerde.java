package io.courier.requestreply.internal;

import io.courier.common.JvmErrors;
import io.courier.core.Serde;

/**
 * Wraps a serde so that reading throws only the JVM's own errors ({@link JvmErrors}): a value that cannot be read
 * becomes a {@link Read} that carries the error, for the responder to answer with. Everything else (content type,
 * message types, the message type the reader is given) is the wrapped serde's, so envelopes read as they would with
 * it. Writes are not supported.
 */
final class LenientSerde<T> implements Serde<LenientSerde.Read<T>> {
    /** A value as read: the value, or why it could not be read. */
    record Read<T>(T value, Throwable error) {}

    private final Serde<T> serde;

    LenientSerde(Serde<T> serde) {
        this.serde = serde;
    }

    @Override
    @SuppressWarnings("unchecked")
    public Class<Read<T>> type() {
        return (Class<Read<T>>) (Class<?>) Read.class;
    }

    @Override
    public String contentType() {
        return serde.contentType();
    }

    @Override
    public byte[] serialize(Read<T> value) {
        throw new UnsupportedOperationException("a lenient serde only reads");
    }

    @Override
    public Read<T> deserialize(byte[] data, String messageType) {
        try {
            return new Read<>(serde.deserialize(data, messageType), null);
        } catch (Throwable e) { // a serde's errors too; the JVM's own stop the thread, as in any subscriber
            JvmErrors.rethrowIfJvms(e);
            return new Read<>(null, e);
        }
    }

    @Override
    public String messageType(Read<T> value) {
        return value.value() == null ? serde.type().getSimpleName() : serde.messageType(value.value());
    }
}
