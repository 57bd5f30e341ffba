package io.courier.common;

/**
 * The root of every exception that Courier throws on purpose.
 *
 * <p>Messages name what went wrong in terms a user can act on: the topic, key, configuration key, port,
 * directory or state involved, and what was expected instead. A {@code CourierException} that is not a
 * {@link CourierRetriableException} means that repeating the same call with the same input will fail again.
 */
public class CourierException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what went wrong and what was expected; never {@code null}
     */
    public CourierException(String message) {
        super(message);
    }

    /**
     * @param message what went wrong and what was expected; never {@code null}
     * @param cause   the underlying failure, kept for diagnosis
     */
    public CourierException(String message, Throwable cause) {
        super(message, cause);
    }
}
