package io.courier.core;

/**
 * Turns keys or values into bytes and back. Implementations must be thread-safe.
 *
 * @param <T> the type this serde handles
 */
public interface Serde<T> {

    /** @return the Java type handled, used in error messages and for handler dispatch */
    Class<T> type();

    /** @return the content type written to the envelope, for instance {@code application/json} */
    String contentType();

    /**
     * @param value a value, never {@code null}
     * @return its bytes
     * @throws SerdeException if the value cannot be serialized
     */
    byte[] serialize(T value);

    /**
     * @param data        the bytes, never {@code null}
     * @param messageType the message type from the envelope, or {@code null} when the record has none
     * @return the value
     * @throws SerdeException if the bytes do not hold a {@link #type()}
     */
    T deserialize(byte[] data, String messageType);

    /**
     * @param value a value, never {@code null}
     * @return the message type to record in the envelope, never empty; by default the simple name of the value's
     *     class (of its enum for an enum constant with a body; the binary name for an anonymous class)
     */
    default String messageType(T value) {
        Class<?> type = value.getClass();
        String name = type.getSimpleName(); // cached by the JVM: this runs for every message published
        if (!name.isEmpty()) {
            return name;
        }
        Class<?> parent = type.getSuperclass(); // an anonymous class: an enum constant with a body, say
        return parent != null && parent.isEnum() ? parent.getSimpleName() : type.getName();
    }
}
