package io.courier.core;

import io.courier.common.CourierException;

/** A value that cannot be turned into bytes, or bytes that do not hold the expected type. */
public class SerdeException extends CourierException {
    private static final long serialVersionUID = 1L;

    /** @param message what failed, naming the type (and, once known, the topic, partition and offset) */
    public SerdeException(String message) {
        super(message);
    }

    /**
     * @param message what failed, naming the type (and, once known, the topic, partition and offset)
     * @param cause   the serde's own error
     */
    public SerdeException(String message, Throwable cause) {
        super(message, cause);
    }
}
