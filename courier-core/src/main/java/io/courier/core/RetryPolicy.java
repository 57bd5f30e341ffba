package io.courier.core;

import static io.courier.common.Preconditions.requireArgument;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How often a failing handler is retried before its message goes to the dead-letter topic, and how long to wait
 * in between (exponential backoff). A retry rewinds the record's partition and polls again after the backoff, so
 * the partition's order is kept; Courier checks that {@code max.poll.interval.ms} is longer than the whole
 * {@link #budget()}, which also covers a batch handled between two waits.
 *
 * @param maxAttempts      attempts in all, 1 meaning "no retry"
 * @param initialBackoff   the wait after the first failure
 * @param multiplier       each wait is the previous one times this, at least 1
 * @param maxBackoff       no wait is longer than this
 * @param nonRetriable     exception types that go to the dead-letter topic at once
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, double multiplier, Duration maxBackoff,
        List<Class<? extends Throwable>> nonRetriable) {

    public RetryPolicy {
        requireArgument(maxAttempts >= 1 && maxAttempts <= 100, "max attempts must be between 1 and 100, but was %d",
                maxAttempts);
        Objects.requireNonNull(initialBackoff, "initialBackoff");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
        requireArgument(!initialBackoff.isNegative(), "initial backoff must be zero or more, but was %s", initialBackoff);
        requireArgument(multiplier >= 1.0, "backoff multiplier must be at least 1, but was %s", multiplier);
        requireArgument(maxBackoff.compareTo(initialBackoff) >= 0,
                "max backoff %s must not be shorter than the initial backoff %s", maxBackoff, initialBackoff);
        nonRetriable = List.copyOf(nonRetriable);
    }

    /** @return 3 attempts, waiting 100 ms then 200 ms */
    public static RetryPolicy defaults() {
        return new RetryPolicy(3, Duration.ofMillis(100), 2.0, Duration.ofSeconds(5), List.of());
    }

    /** @return one attempt: a failing message goes to the dead-letter topic at once */
    public static RetryPolicy noRetries() {
        return new RetryPolicy(1, Duration.ZERO, 1.0, Duration.ZERO, List.of());
    }

    /**
     * @param attempts attempts in all
     * @param backoff  the first wait, doubled each time up to 30 s
     * @return a policy with exponential backoff
     */
    public static RetryPolicy exponential(int attempts, Duration backoff) {
        return new RetryPolicy(attempts, backoff, 2.0, Duration.ofSeconds(30).compareTo(backoff) < 0 ? backoff
                : Duration.ofSeconds(30), List.of());
    }

    /**
     * @param types exception types not worth retrying (an exception is matched with {@code instanceof})
     * @return a copy that sends them to the dead-letter topic at once
     */
    public RetryPolicy withNonRetriable(List<Class<? extends Throwable>> types) {
        return new RetryPolicy(maxAttempts, initialBackoff, multiplier, maxBackoff, types);
    }

    /**
     * @param failedAttempts how many attempts have failed so far, at least 1
     * @return how long to wait before the next attempt
     */
    public Duration backoff(int failedAttempts) {
        double millis = initialBackoff.toMillis() * Math.pow(multiplier, Math.max(0, failedAttempts - 1));
        return Duration.ofMillis((long) Math.min(millis, maxBackoff.toMillis()));
    }

    /** @return the total time spent waiting between attempts for one message that fails every time */
    public Duration budget() {
        Duration total = Duration.ZERO;
        for (int failed = 1; failed < maxAttempts; failed++) {
            total = total.plus(backoff(failed));
        }
        return total;
    }

    /** @param error a handler failure @return whether it may be retried */
    public boolean isRetriable(Throwable error) {
        return nonRetriable.stream().noneMatch(t -> t.isInstance(error));
    }
}
