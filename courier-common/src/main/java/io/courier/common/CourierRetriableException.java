package io.courier.common;

/**
 * A {@link CourierException} for a condition that may pass by itself: a broker that is not reachable yet, a
 * leader election in progress, a timeout. Retrying the same call later, with backoff, can succeed.
 */
public class CourierRetriableException extends CourierException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what went wrong and what was expected; never {@code null}
     */
    public CourierRetriableException(String message) {
        super(message);
    }

    /**
     * @param message what went wrong and what was expected; never {@code null}
     * @param cause   the underlying failure, kept for diagnosis
     */
    public CourierRetriableException(String message, Throwable cause) {
        super(message, cause);
    }
}
