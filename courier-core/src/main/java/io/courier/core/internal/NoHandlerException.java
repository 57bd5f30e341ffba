package io.courier.core.internal;

import io.courier.common.CourierException;

/** A consumed message that no registered handler accepts; it goes to the dead-letter topic. */
final class NoHandlerException extends CourierException {
    private static final long serialVersionUID = 1L;

    NoHandlerException(String message) {
        super(message);
    }
}
