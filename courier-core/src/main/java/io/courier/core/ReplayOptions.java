package io.courier.core;

import static io.courier.common.Preconditions.requireArgument;

import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * How {@link Courier#replayDeadLetters} replays.
 *
 * @param messagesPerSecond at most this many records a second
 * @param maxMessages       stop after this many records
 * @param groupId           the consumer group that remembers how far the replay got
 * @param correction        applied to each dead letter before it is republished; returning {@code null} skips it
 */
public record ReplayOptions(double messagesPerSecond, long maxMessages, String groupId,
        UnaryOperator<DeadLetter> correction) {

    public ReplayOptions {
        requireArgument(messagesPerSecond > 0, "replay rate must be positive, but was %s", messagesPerSecond);
        requireArgument(maxMessages > 0, "max messages must be positive, but was %d", maxMessages);
        requireArgument(groupId != null && !groupId.isBlank(), "replay group id must not be blank");
        Objects.requireNonNull(correction, "correction");
    }

    /** @return 100 messages a second, no limit, group {@code courier-dlt-replay}, no correction */
    public static ReplayOptions defaults() {
        return new ReplayOptions(100, Long.MAX_VALUE, "courier-dlt-replay", UnaryOperator.identity());
    }

    /** @param perSecond the rate @return a copy */
    public ReplayOptions withRate(double perSecond) {
        return new ReplayOptions(perSecond, maxMessages, groupId, correction);
    }

    /** @param max the limit @return a copy */
    public ReplayOptions withMaxMessages(long max) {
        return new ReplayOptions(messagesPerSecond, max, groupId, correction);
    }

    /** @param group the consumer group that remembers how far replays got @return a copy */
    public ReplayOptions withGroupId(String group) {
        return new ReplayOptions(messagesPerSecond, maxMessages, group, correction);
    }

    /** @param fix the correction @return a copy */
    public ReplayOptions withCorrection(UnaryOperator<DeadLetter> fix) {
        return new ReplayOptions(messagesPerSecond, maxMessages, groupId, fix);
    }
}
