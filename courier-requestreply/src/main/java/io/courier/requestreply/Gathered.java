package io.courier.requestreply;

import java.util.List;

/**
 * What a scatter-gather request collected: the replies (successes and failures) in arrival order.
 *
 * @param correlationId the request's correlation id
 * @param replies       the replies received, at most {@code expected}
 * @param expected      how many replies the caller asked for
 * @param <R>           the reply type
 */
public record Gathered<R>(String correlationId, List<Reply<R>> replies, int expected) {

    public Gathered {
        replies = List.copyOf(replies);
    }

    /** @return whether {@code expected} replies arrived before the deadline */
    public boolean complete() {
        return replies.size() >= expected;
    }

    /** @return the successful replies' values, in arrival order */
    public List<R> values() {
        return replies.stream().filter(r -> r instanceof Reply.Success<R>).map(r -> ((Reply.Success<R>) r).value()).toList();
    }
}
