package io.courier.core.internal;

import io.courier.common.CourierException;
import io.courier.common.CourierRetriableException;
import io.courier.common.Durations;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Waits for Kafka's futures and turns their failures into Courier exceptions that say what was being done. Shared by
 * every Courier module that waits on Kafka's admin and producer futures.
 */
public final class Futures {
    private Futures() {}

    /**
     * @param what what the future does, as the end of "cannot ..."
     * @return the future's value
     * @throws CourierRetriableException on a timeout or a retriable Kafka error
     * @throws CourierException on any other failure, or if interrupted (the interrupt flag is kept)
     */
    public static <T> T await(Future<T> future, Duration timeout, String what) {
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw failure("cannot " + what + ": " + cause.getClass().getSimpleName() + ": " + cause.getMessage(), cause);
        } catch (TimeoutException e) {
            throw new CourierRetriableException("cannot " + what + ": no answer within " + Durations.format(timeout),
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CourierException("interrupted while trying to " + what, e);
        }
    }

    /**
     * @param message what failed, naming the topic, cluster or setting
     * @param cause   Kafka's error
     * @return a {@link CourierRetriableException} if Kafka calls {@code cause} retriable, else a {@link CourierException}
     */
    public static CourierException failure(String message, Throwable cause) {
        return cause instanceof org.apache.kafka.common.errors.RetriableException
                ? new CourierRetriableException(message, cause) : new CourierException(message, cause);
    }
}
